// One esbuild context per runtime: the extension host (Node, cjs, `vscode` external),
// the CLI (Node, cjs, executable) and the webview (browser, iife); and the Python wheel.
// Flags: --watch rebuilds on change, --production minifies and drops sourcemaps.
import * as esbuild from 'esbuild';
import { buildWheel } from './build-wheel.mjs';
import { cliCommandEntryPoints } from './cli-entry-points.mjs';
import { renderIcon } from './render-icon.mjs';
import { chmodSync, cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');

// Kept out of the bundles and shipped as node_modules: the gRPC/protobuf stack of the
// Spanner client loads .proto/.json descriptors from disk at run time, and Testcontainers
// has optional native modules; both break when inlined.
const nodeExternals = ['@google-cloud/spanner', 'google-gax', 'testcontainers', '@testcontainers/gcloud'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/** Runtime assets that the bundles load from disk. */
function copyAssets() {
  mkdirSync(path.join(dist, 'webview'), { recursive: true });
  cpSync(path.join(root, 'node_modules/elkjs/lib/elk-worker.min.js'), path.join(dist, 'webview', 'elk-worker.min.js'));
  // The language server's layout worker loads ELK from here (extension/server/layoutWorker.ts).
  cpSync(path.join(root, 'node_modules/elkjs/lib/elk.bundled.js'), path.join(dist, 'elk.bundled.js'));
  cpSync(path.join(root, 'webview', 'src', 'graph.css'), path.join(dist, 'webview', 'graph.css'));
  // package.json `icon` names the PNG; media/icon.svg is its source.
  renderIcon(path.join(root, 'media', 'icon.svg'), path.join(dist, 'media', 'icon.png'));
}

const contexts = await Promise.all([
  esbuild.context({
    ...common,
    // The extension host loads dist/extension.js, the language client and what the first CodeLens
    // needs, before activating; the other editor features are dist/features.js, which extension.ts
    // loads with require() on first use (one bundle each: esbuild splits only ESM output).
    entryPoints: { extension: 'extension/vscode/extension.ts', features: 'extension/vscode/features.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...nodeExternals],
  }),
  esbuild.context({
    ...common,
    // The language server the extension starts (Node IPC, the extension host's Node); also the
    // script of its analysis worker threads. `luigi-spanner server` runs the same code from the CLI.
    entryPoints: { server: 'extension/server/main.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  }),
  esbuild.context({
    ...common,
    entryPoints: { cli: 'extension/cli/main.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: nodeExternals,
  }),
  esbuild.context({
    ...common,
    // One bundle per CLI command, loaded by dist/cli.js only when that command runs.
    // Plus the analysis worker that `graph` starts for large workspaces (found beside graph.js).
    // and the SVG renderer that `graph --format svg` alone loads (elkjs inside).
    entryPoints: {
      ...cliCommandEntryPoints(root),
      'commands/analysis-worker': 'extension/core/analysis/facts-worker.ts',
      'commands/graph-svg': 'extension/core/graphLayout/renderGraphSvg.ts',
    },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  }),
  esbuild.context({
    ...common,
    // The graph view and its layout worker (ELK inside; started from a blob: URL). Minified in
    // every build: the page inlines main.js (graph/html.ts) and the worker's 3.5 MB are fetched
    // and compiled before a fallback layout, so what the benches and tests time is what ships;
    // source maps stay in development builds.
    entryPoints: { 'webview/main': 'webview/src/main.ts', 'webview/layout-worker': 'webview/src/layoutWorker.ts' },
    minify: true,
    outdir: dist,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
  }),
]);

copyAssets();
// The luigi-spanner wheel (dist/python), which the managed venv installs and the vsix ships.
// A packaged build without it would break every run, so --production fails; a development build
// only warns (the editor and the CLI's static commands work without Python).
try {
  console.log(`  ${path.relative(root, buildWheel())}`);
} catch (error) {
  if (production) throw error;
  console.warn(`warning: ${error.message}`);
}
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  chmodSync(path.join(dist, 'cli.js'), 0o755);
}
