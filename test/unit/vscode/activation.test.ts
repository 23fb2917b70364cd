// What the editor pays at start-up for this extension's activation events (issue #16).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const root = path.resolve(__dirname, '..', '..', '..');

describe('activation events', () => {
  test('workspaceContains names plain paths, never a glob', () => {
    // A plain path is one stat per folder; a glob makes the extension host walk the whole workspace
    // with ripgrep at every window start (the standard library: thousands of files), for nothing
    // when it does not match.
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { activationEvents: string[] };
    const contains = manifest.activationEvents.filter((e) => e.startsWith('workspaceContains:'));
    expect(contains).toEqual(['workspaceContains:migrations', 'workspaceContains:luigi-spanner.json']);
    expect(contains.filter((e) => /[*?{[]/.test(e))).toEqual([]);
  });
});
