// A missing emulator image (Docker up, no registry) in a real VS Code: the failure offers what
// fixes it (the installed binary, another image, a local build, Doctor), and "Use
// Binary" starts the emulator from the binary at once. Stop then says what it stopped.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { pipelineRunEnv, sessionForSuite } from './harness';

const NAME = `e2e-noimage-${process.pid}`;

describe('a missing emulator image in code-server', () => {
  const session = sessionForSuite({
    sample: 'orders',
    env: { ...pipelineRunEnv(), LUIGI_SPANNER_EMULATOR_NAME: NAME },
  });

  test('Start offers the concrete choices, and the installed binary starts the emulator', async () => {
    // The workspace asks for the docker backend and an image nobody has. (In luigi-spanner.json: the
    // image and backend settings are machine-overridable, which a remote window's user settings do not set.)
    writeFileSync(path.join(session().workspaceDir, 'luigi-spanner.json'), JSON.stringify({ backend: 'docker', image: 'luigi-spanner/missing-image:none' }));
    await session().openFile('pipeline.py');
    await session().runCommand('Luigi Spanner: Start Emulator');
    const failed = session().notification(/missing-image:none is not on this machine/);
    await failed.waitFor({ timeout: 120_000 });
    const buttons = await failed.locator('.monaco-button').allInnerTexts();
    expect(buttons).toEqual(['Use Binary', 'Set Image…', 'Build Image', 'Doctor']);
    // Docker's own words (HTTP 500, the registry's host) stay in the log.
    expect(await failed.innerText()).not.toMatch(/HTTP code 500|no such host/);
    // Never the raw Docker message alone, never only "Show Log".
    expect(buttons).not.toEqual(['Show Log']);
    await session().screenshot('missing-image-choices');

    await failed.locator('.monaco-button', { hasText: 'Use Binary' }).click();
    await session().notification(/Spanner emulator (started|found running) \(binary\)/).waitFor({ timeout: 120_000 });
    const item = session().page.locator('.statusbar-item', { hasText: 'Spanner' }).first();
    await item.locator('.codicon-database').waitFor({ timeout: 10_000 });

    await session().runCommand('Luigi Spanner: Stop Emulator');
    await session().notification(new RegExp(`stopped emulator "${NAME}" \\(binary at 127\\.0\\.0\\.1:\\d+`)).waitFor({ timeout: 60_000 });
    await item.locator('.codicon-circle-slash').waitFor({ timeout: 10_000 });
  });
});
