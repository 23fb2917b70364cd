// Every module in extension/cli/commands/ is a CLI command bundled on its own
// (dist/commands/<name>.js), loaded by dist/cli.js only when that command runs.
// Shared by scripts/build.mjs and the tests that build the CLI into a scratch folder.
import { readdirSync } from 'node:fs';
import path from 'node:path';

export function cliCommandEntryPoints(root) {
  const dir = path.join(root, 'extension', 'cli', 'commands');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [`commands/${f.slice(0, -3)}`, path.join(dir, f)]),
  );
}
