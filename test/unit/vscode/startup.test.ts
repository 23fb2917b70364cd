// What the editor pays at start-up before the first CodeLens (issue #16; activation events: activation.test.ts).
// The extension host compiles and runs all of dist/extension.js before activate(), so that entry must
// not pull in what dist/features.js holds: the graph view, runs, the emulator UI and client, runtime
// findings, the lint rules, zod. Bundled here with the build's own options (esbuild's metafile lists
// every module in each bundle).
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, test } from 'vitest';

const root = path.resolve(__dirname, '..', '..', '..');

async function modulesOf(entry: string): Promise<string[]> {
  const result = await esbuild.build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: path.join(root, 'dist', 'bundle-split-test'),
    external: ['vscode', '@google-cloud/spanner', 'google-gax', 'testcontainers', '@testcontainers/gcloud'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('the extension host bundles', () => {
  test('dist/extension.js holds the language client and none of the features loaded later', async () => {
    const modules = await modulesOf('extension/vscode/extension.ts');
    expect(modules).toContain('extension/vscode/languageClient.ts');
    expect(modules).toContain('extension/vscode/analysisService.ts');
    const heavy = modules.filter((m) =>
      /^(node_modules\/zod\/|extension\/vscode\/(graph|emulator|debugger)\/|extension\/vscode\/(features|runController|doctor)\.ts$|extension\/core\/(lint\/rules|debugger|graphLayout)\/|emulator\/)/.test(m),
    );
    expect(heavy).toEqual([]);
  }, 30_000);

  test('dist/features.js holds the features and not a second language client', async () => {
    const modules = await modulesOf('extension/vscode/features.ts');
    expect(modules).toEqual(expect.arrayContaining(['extension/vscode/graph/index.ts', 'extension/vscode/emulator/index.ts', 'extension/vscode/debugger/index.ts', 'extension/vscode/runController.ts']));
    // The client is extension.js's one instance, handed over (a second copy would be a second client).
    expect(modules.filter((m) => m.startsWith('node_modules/vscode-languageclient/'))).toEqual([]);
  }, 30_000);

  // Full zod is about 450 KB minified, zod/mini about 30 KB: each start compiles what the bundle holds.
  test.each(['extension/vscode/features.ts', 'extension/server/main.ts'])('%s checks with zod/mini, not full zod', async (entry) => {
    const modules = await modulesOf(entry);
    expect(modules.some((m) => m.startsWith('node_modules/zod/v4/mini/'))).toBe(true);
    expect(modules.filter((m) => m.startsWith('node_modules/zod/v4/classic/'))).toEqual([]);
  }, 30_000);
});

