// dist/features.js is loaded with V8's code cache (extension/vscode/codeCache.ts): the first window
// compiles it and keeps the code, the next ones compile from the cache; a changed bundle gets a new
// entry (the old one goes), and a cache V8 refuses costs nothing but the compile it would have saved.
// Each load runs in a Node process of its own, as each window's extension host is one: within one
// process V8 keeps compiled scripts itself and would never read the cache.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/python';

let loader: string;

beforeAll(() => {
  loader = path.join(mkdtempSync(path.join(os.tmpdir(), 'code-cache-loader-')), 'codeCache.js');
  buildSync({ entryPoints: [path.join(REPO_ROOT, 'extension', 'vscode', 'codeCache.ts')], outfile: loader, platform: 'node', format: 'cjs', bundle: true, logLevel: 'silent' });
});

/** Loads `file` in a new Node process, as an extension host would, and keeps the code. */
function loadInNewProcess(file: string, cache: string): { cache: string; exports: Record<string, unknown> } {
  const script = `const { loadWithCodeCache } = require(${JSON.stringify(loader)});
const loaded = loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)});
loaded.save();
process.stdout.write(JSON.stringify({ cache: loaded.cache, exports: loaded.exports }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { cache: string; exports: Record<string, unknown> };
}

function bundle(dir: string, body: string): string {
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  writeFileSync(path.join(dir, 'dist', 'helper.js'), 'module.exports = { twice: (n) => 2 * n };\n');
  const file = path.join(dir, 'dist', 'features.js');
  // A bundle's shape: CommonJS, requires beside it and built-ins, its own __dirname.
  writeFileSync(file, `"use strict";\nconst path = require("node:path");\nconst { twice } = require("./helper.js");\n${body}\nexports.where = path.basename(__dirname);\n`);
  return file;
}

describe('loadWithCodeCache', () => {
  it('compiles from source once, then from the kept code, with require and __dirname as require() gives them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    const cache = path.join(dir, 'cache');
    const file = bundle(dir, 'exports.answer = twice(21);');

    expect(loadInNewProcess(file, cache)).toEqual({ cache: 'missing', exports: { answer: 42, where: 'dist' } });
    expect(readdirSync(cache).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(loadInNewProcess(file, cache)).toEqual({ cache: 'used', exports: { answer: 42, where: 'dist' } });
  });

  it('a changed bundle gets its own entry and the old one is removed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    const cache = path.join(dir, 'cache');
    const file = bundle(dir, 'exports.answer = twice(1);');
    loadInNewProcess(file, cache);
    const before = readdirSync(cache);

    bundle(dir, 'exports.answer = twice(2);');
    expect(loadInNewProcess(file, cache)).toMatchObject({ cache: 'missing', exports: { answer: 4 } });
    const after = readdirSync(cache);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });

  it('a cache V8 refuses (damaged, or from another V8) is not used, and the bundle still runs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    const cache = path.join(dir, 'cache');
    const file = bundle(dir, 'exports.answer = twice(5);');
    loadInNewProcess(file, cache);
    const [entry] = readdirSync(cache);
    writeFileSync(path.join(cache, entry!), Buffer.from('not V8 code at all, just bytes in the right place'));

    expect(loadInNewProcess(file, cache)).toMatchObject({ cache: 'rejected', exports: { answer: 10 } });
    expect(loadInNewProcess(file, cache).cache).toBe('used');
  });
});
