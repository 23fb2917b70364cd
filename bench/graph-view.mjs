// Graph view benchmark runner: bundles bench/graph-view.ts (it shares the test harness and
// the layout core, written in TypeScript) and runs it. Needs `npm run build` first.
// Usage: node bench/graph-view.mjs [sizes=200,1000,3000] [shape=pipeline|random]
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Inside node_modules so the bundle resolves playwright-core from the repository.
const cache = path.join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(path.join(cache, 'graph-view-bench-'));
try {
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'graph-view.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(out, 'graph-view.mjs'),
    // Resolved from the repository at run time.
    external: ['playwright-core', 'esbuild'],
    banner: { js: `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(pathToFileURL(path.join(root, 'package.json')).href)}); const __dirname = ${JSON.stringify(path.join(root, 'test', 'browser'))};` },
    logLevel: 'warning',
  });
  await import(pathToFileURL(path.join(out, 'graph-view.mjs')).href);
} finally {
  rmSync(out, { recursive: true, force: true });
}
