// What a listed extension carries (package.json, LICENSE, icon) and the walkthrough's wiring:
// every step's media exists, every command it names is contributed, every context key it waits
// for is set by the extension, and the prerequisite steps carry Doctor's fixes.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { DOCTOR_FIXES } from '../../extension/core/doctor';
import { DEFAULT_DOCS_BASE_URL, ruleHelpUri } from '../../extension/core/lint/catalog';
import { Commands, ContextKeys, WALKTHROUGH_ID } from '../../extension/vscode/commands';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string; altText?: string };
  completionEvents: string[];
}
const walkthrough = manifest.contributes.walkthroughs[0] as { id: string; steps: Step[] };
const contributedCommands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));

/** The `command:` targets of a step description's links. */
const linkedCommands = (step: Step) => [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]!);

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('manifest of a listed extension', () => {
  test('repository, license file, gallery fields and extension kind', () => {
    expect(manifest.repository.url).toBe('https://github.com/luigi-spanner/luigi-spanner');
    expect(manifest.license).toBe('Apache-2.0');
    const license = readFileSync(path.join(root, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(manifest.galleryBanner.color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(['dark', 'light']).toContain(manifest.galleryBanner.theme);
    expect(manifest.categories).toEqual(expect.arrayContaining(['Data Science', 'Linters', 'Visualization', 'Testing']));
    expect(manifest.extensionKind).toEqual(['workspace']);
    // Packaging must not hide a missing license or repository.
    expect(manifest.scripts.package).not.toMatch(/--skip-license|--allow-missing-repository/);
  });

  test('rule links derive from the repository field', () => {
    expect(DEFAULT_DOCS_BASE_URL).toBe(`${manifest.repository.url}/blob/main`);
    expect(ruleHelpUri('LS001')).toBe(`${manifest.repository.url}/blob/main/docs/rules/LS001.md`);
    // Every link to the project written in package.json points into that repository.
    const links = JSON.stringify(manifest).match(/https:\/\/github\.com\/luigi-spanner\/[^\s"')]*/g) ?? [];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(manifest.repository.url)).toBe(true);
  });

  test('the icon renders from media/icon.svg to a square PNG of at least 128 pixels', async () => {
    const { renderIcon } = (await import(path.join(root, 'scripts', 'render-icon.mjs'))) as { renderIcon: (svg: string, png: string) => void };
    expect(manifest.icon).toBe('dist/media/icon.png');
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'icon-')), 'icon.png');
    renderIcon(path.join(root, 'media', 'icon.svg'), out);
    const { width, height } = pngSize(out);
    expect(width).toBe(height);
    expect(width).toBeGreaterThanOrEqual(128);
  });
});

describe('the first-session walkthrough', () => {
  test('is the one the Get Started command opens, and walks the first session in order', () => {
    expect(walkthrough.id).toBe(WALKTHROUGH_ID);
    expect(contributedCommands.has(Commands.showWalkthrough)).toBe(true);
    expect(walkthrough.steps.map((s) => s.id)).toEqual(['doctor', 'emulatorBackend', 'python', 'startEmulator', 'openPipeline', 'showGraph', 'runTask', 'readFinding']);
  });

  test('each step has media that exists and completes on a real event', () => {
    const setKeys = new Set<string>(Object.values(ContextKeys));
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image;
      expect(media, step.id).toBeDefined();
      expect(statSync(path.join(root, media!)).size, media).toBeGreaterThan(100);
      if (step.media.image) expect(step.media.altText, step.id).toBeTruthy();
      expect(step.completionEvents.length, step.id).toBeGreaterThan(0);
      for (const event of step.completionEvents) {
        const [kind, target] = event.split(/:(.*)/s) as [string, string];
        if (kind === 'onCommand') expect(contributedCommands.has(target), event).toBe(true);
        else if (kind === 'onContext') expect(setKeys.has(target), `${event}: not a key ContextKeys sets`).toBe(true);
        else expect(kind, event).toBe('onView');
      }
    }
  });

  test('the context keys it waits for are set by the extension', () => {
    const sources = readdirSync(path.join(root, 'extension/vscode'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('contextKeys.ts'))
      .map((f) => readFileSync(path.join(root, 'extension/vscode', f), 'utf8'))
      .join('\n');
    for (const name of Object.keys(ContextKeys)) expect(sources, name).toContain(`setContext(ContextKeys.${name},`);
  });

  test('every command a step links to is contributed here or built into VS Code', () => {
    for (const step of walkthrough.steps) {
      for (const command of linkedCommands(step)) {
        expect(contributedCommands.has(command) || command.startsWith('workbench.'), `${step.id}: ${command}`).toBe(true);
      }
    }
  });

  test('the prerequisite steps carry the fixes Doctor names, and the versions the venv pins', () => {
    const step = (id: string) => walkthrough.steps.find((s) => s.id === id)!;
    expect(step('emulatorBackend').description).toContain(DOCTOR_FIXES.docker);
    expect(step('emulatorBackend').description).toContain(DOCTOR_FIXES.emulatorBinary);
    const pins = readFileSync(path.join(root, 'extension/python/requirements.txt'), 'utf8');
    for (const pkg of ['luigi', 'google-cloud-spanner']) {
      const pinned = pins.match(new RegExp(`^${pkg}==(\\S+)$`, 'm'))?.[1];
      expect(pinned, pkg).toBeDefined();
      expect(step('python').description).toContain(`${pkg}==${pinned}`);
      expect(readFileSync(path.join(root, step('doctor').media.markdown!), 'utf8')).toContain(`${pkg}==${pinned}`);
    }
    for (const id of ['emulatorBackend', 'python']) expect(linkedCommands(step(id))).toContain(Commands.doctor);
  });
});
