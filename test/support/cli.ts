// Builds the CLI as scripts/build.mjs lays it out (dispatcher + one bundle per command) into `outdir`.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error -- a plain .mjs helper shared with the build script, without type declarations
import { cliCommandEntryPoints } from '../../scripts/cli-entry-points.mjs';

const REPO = path.resolve(__dirname, '..', '..');

export async function buildCli(outdir: string): Promise<string> {
  await build({
    entryPoints: { cli: path.join(REPO, 'extension/cli/main.ts'), ...(cliCommandEntryPoints(REPO) as Record<string, string>) },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@google-cloud/spanner', 'google-gax', 'testcontainers', '@testcontainers/gcloud'],
    nodePaths: [path.join(REPO, 'node_modules')],
    logLevel: 'error',
  });
  // As scripts/build.mjs does: the server's layout worker loads ELK from beside the bundles.
  copyFileSync(path.join(REPO, 'node_modules/elkjs/lib/elk.bundled.js'), path.join(outdir, 'elk.bundled.js'));
  return path.join(outdir, 'cli.js');
}
