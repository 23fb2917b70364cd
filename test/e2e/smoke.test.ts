// The packaged .vsix in a real VS Code (code-server) driven through Chromium: it installs, its
// esbuild externals load from the vsix's own node_modules, it activates on a Python file of the
// orders sample and shows its CodeLenses, and a command of it answers.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { bundleExternals, codeLensText, EXTENSION_ID, loadWithCodeServerNode, sessionForSuite } from './harness';

describe('packaged extension in code-server', () => {
  const session = sessionForSuite({ sample: 'orders' });

  test('the vsix carries the externals of its bundle, and they load on code-server’s Node', async () => {
    const extensionDir = session().installedExtensionDir();
    const externals = bundleExternals(extensionDir);
    // The build marks these external (scripts/build.mjs); the bundle must load them lazily or not.
    expect(externals.map((e) => e.name)).toEqual(expect.arrayContaining(['@google-cloud/spanner', 'testcontainers']));
    for (const { name } of externals) {
      expect(existsSync(path.join(extensionDir, 'node_modules', ...name.split('/'), 'package.json')), `${name} in the vsix`).toBe(true);
    }
    const loaded = await loadWithCodeServerNode(extensionDir, externals);
    expect(loaded).toEqual(externals.map((e) => `${e.via}:${e.name}`));
    // Bundled-only packages stay out (.vscodeignore): esbuild inlined them into dist/.
    expect(existsSync(path.join(extensionDir, 'node_modules', 'elkjs'))).toBe(false);
    expect(statSync(path.join(extensionDir, 'dist', 'extension.js')).size).toBeGreaterThan(0);
    // The features that extension.js loads on first use (the graph view, runs, the emulator UI) ship beside it.
    expect(statSync(path.join(extensionDir, 'dist', 'features.js')).size).toBeGreaterThan(0);
  });

  test('activates on pipeline.py and puts Run and Show graph above a task class', async () => {
    await session().openFile('pipeline.py');
    // No wait for "any lens" here: the first task class sits below the viewport, where Monaco
    // renders no lens; codeLensesAboveClass scrolls to the class and waits for its lenses.

    const taskLenses = await session().codeLensesAboveClass('LoadOrders');
    expect(taskLenses.some((text) => codeLensText('Run').test(text)), `lenses above LoadOrders: ${JSON.stringify(taskLenses)}`).toBe(true);
    expect(taskLenses.some((text) => codeLensText('Show graph').test(text))).toBe(true);
    // An ExternalTask has nothing to run: its data comes from outside the pipeline.
    const externalLenses = await session().codeLensesAboveClass('OrdersExport');
    expect(externalLenses.some((text) => codeLensText('Show graph').test(text))).toBe(true);
    expect(externalLenses.some((text) => codeLensText('Run').test(text))).toBe(false);

    const hostLog = session().extensionHostLog();
    expect(hostLog).toContain(`_doActivateExtension ${EXTENSION_ID}`);
    expect(hostLog).not.toMatch(new RegExp(`Activating extension '?${EXTENSION_ID.replace('.', '\\.')}'? failed`, 'i'));
    await session().screenshot('smoke-codelens');
  });

  test('the Doctor command lists its prerequisite checks', async () => {
    await session().runCommand('Luigi Spanner: Check Prerequisites (Doctor)');
    const checks = await session().waitForQuickPick(/Luigi Spanner Doctor/);
    const names = checks.map((c) => c.label);
    expect(names).toEqual(expect.arrayContaining(['Docker engine', 'Python', 'luigi']));
    // The Docker check goes through testcontainers inside the extension host: an answer proves it loaded.
    const docker = checks.find((c) => c.label === 'Docker engine');
    expect(docker?.description).toBe('answers');
    // The same checks go to the extension's log channel.
    expect(session().outputChannelLog('Luigi Spanner')).toMatch(/ok\s+Docker engine: answers/);
    await session().screenshot('smoke-doctor');
    await session().page.keyboard.press('Escape');
  });
});
