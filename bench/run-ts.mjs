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

/**
 * Bundles repository TypeScript for Node as one CommonJS file, the way the CLI and the extension
 * bundle it, so a bench measures the shipped code: `entry` is a file (relative to the repository),
 * or `source` is module text resolved from the repository root (e.g. a list of `export … from`).
 * Returns `outfile`, ready for `require`. Write bundles that have `external` packages under
 * node_modules/ so those resolve.
 */
export async function bundleCjs({ entry, source, outfile, external = [], logLevel = 'warning' }) {
  await esbuild.build({
    ...(entry ? { entryPoints: [path.join(root, entry)] } : { stdin: { contents: source, resolveDir: root, loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external,
    logLevel,
  });
  return outfile;
}
