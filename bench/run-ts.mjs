// Runs a TypeScript benchmark entry: bundles it with esbuild (it shares the test harness and the
// layout core, written in TypeScript) into node_modules/.cache and imports it. Build first.
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function runTs(entry) {
  // Inside node_modules so the bundle resolves playwright-core from the repository.
  const cache = path.join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const name = path.basename(entry, '.ts');
  const out = mkdtempSync(path.join(cache, `${name}-bench-`));
  try {
    await esbuild.build({
      entryPoints: [path.join(root, 'bench', entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: path.join(out, `${name}.mjs`),
      // Resolved from the repository at run time.
      external: ['playwright-core', 'esbuild', 'vscode-languageserver-protocol'],
      banner: { js: `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(pathToFileURL(path.join(root, 'package.json')).href)}); const __dirname = ${JSON.stringify(path.join(root, 'test', 'browser'))};` },
      logLevel: 'warning',
    });
    await import(pathToFileURL(path.join(out, `${name}.mjs`)).href);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
