// An open file's next version replays the facts of the top-level statements an edit left alone
// (module-facts.ts, StatementMemo). The replayed facts must be exactly what a fresh walk gives: on
// real code (a sample of the test interpreter's standard library, the repository's samples) after
// edits that move lines, change one statement, delete one, and break the file then mend it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractModuleFacts, extractModuleFactsReusing, tryParse, type StatementMemo } from '../../../extension/core/analysis/module-facts';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { REPO_ROOT, testPython } from '../../support/python';

/** Every 90th module of the standard library (by path), about 20 files of every kind. */
function stdlibSample(): string[] {
  const root = execFileSync(testPython(), ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py') && !f.includes('site-packages') && !f.includes('lib2to3/tests/data') && !f.includes('bad'))
    .sort();
  return files.filter((_, i) => i % 90 === 0).map((f) => path.join(root, f));
}

function samples(): string[] {
  const dir = path.join(REPO_ROOT, 'samples');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py'))
    .map((f) => path.join(dir, f));
}

/** Offsets of the lines that start a top-level statement (column 0, not a comment or a blank). */
function topLevelLineStarts(text: string): number[] {
  const starts: number[] = [];
  for (let at = 0; at < text.length; at = text.indexOf('\n', at) + 1 || text.length) {
    if (/[A-Za-z_@]/.test(text[at] ?? '')) starts.push(at);
  }
  return starts;
}

/** The versions an editor would send, each from the one before. */
function edits(text: string): string[] {
  const starts = topLevelLineStarts(text);
  const middle = starts[Math.floor(starts.length / 2)] ?? 0;
  const versions: string[] = [];
  // Lines inserted near the top: everything below moves.
  const first = starts[1] ?? 0;
  let current = `${text.slice(0, first)}\n# a comment\nINSERTED = "Orders"\n\n${text.slice(first)}`;
  versions.push(current);
  // One statement changed inside (an identifier renamed on its first line), without moving lines.
  const at = topLevelLineStarts(current)[Math.floor(starts.length / 2)] ?? 0;
  const lineEnd = current.indexOf('\n', at) === -1 ? current.length : current.indexOf('\n', at);
  current = `${current.slice(0, at)}${current.slice(at, lineEnd).replace(/\b([A-Za-z_]\w*)\b/, '$1_renamed')}${current.slice(lineEnd)}`;
  versions.push(current);
  // A statement deleted: the ones after move up.
  const now = topLevelLineStarts(current);
  const k = Math.min(now.length - 2, Math.max(0, Math.floor(now.length / 3)));
  if (k >= 0 && now[k + 1] !== undefined) {
    current = current.slice(0, now[k]) + current.slice(now[k + 1]);
    versions.push(current);
  }
  // Broken (an unclosed bracket in the middle), then mended.
  const broken = `${current.slice(0, middle)}x = (\n${current.slice(middle)}`;
  versions.push(broken);
  versions.push(current);
  return versions;
}

function checkFile(file: string): number {
  const original = readFileSync(file, 'utf8');
  let memo: StatementMemo | undefined = extractModuleFactsReusing(original, tryParse(original), undefined).memo;
  let reused = 0;
  for (const version of edits(original)) {
    const fresh = extractModuleFacts(version);
    const next = extractModuleFactsReusing(version, tryParse(version), memo);
    expect(next.facts, `${file}, after an edit`).toEqual(fresh);
    for (const text of next.memo.keys()) if (memo?.has(text)) reused++;
    memo = next.memo;
  }
  return reused;
}

describe('facts replayed for the statements an edit left alone', () => {
  it('equal a fresh walk on the standard library and the samples, edit after edit', () => {
    const files = [...stdlibSample(), ...samples()];
    expect(files.length).toBeGreaterThan(15);
    let reused = 0;
    for (const file of files) reused += checkFile(file);
    // The memo did serve: most statements of most versions came from the version before.
    expect(reused).toBeGreaterThan(files.length * 5);
  }, 120_000);

  it('through the index: an open file edited keeps the facts a fresh index gives', () => {
    const file = path.join(REPO_ROOT, 'samples', 'orders', 'pipeline.py');
    const original = readFileSync(file, 'utf8');
    const open = new WorkspaceIndex({ root: REPO_ROOT });
    open.setFile('orders.py', original);
    for (const version of edits(original)) {
      open.setFile('orders.py', version);
      const fresh = new WorkspaceIndex({ root: REPO_ROOT });
      fresh.setFile('orders.py', version);
      expect(open.facts('orders.py')).toEqual(fresh.facts('orders.py'));
      expect(open.graph()).toEqual(fresh.graph());
    }
  });

  it('moves every line of a replayed class with its statement', () => {
    const text = 'import luigi\n\nclass A(luigi.Task):\n    x = luigi.Parameter()\n\n    def run(self):\n        pass\n';
    const { memo } = extractModuleFactsReusing(text, tryParse(text), undefined);
    const moved = `# header\n\n${text}`;
    const replayed = extractModuleFactsReusing(moved, tryParse(moved), memo).facts;
    expect(replayed.classes[0]).toMatchObject({ name: 'A', line: 5, endLine: 9 });
    expect(replayed.classes[0]!.attributes[0]!.line).toBe(6);
    expect(replayed.classes[0]!.methods[0]!.line).toBe(8);
    expect(replayed).toEqual(extractModuleFacts(moved));
  });
});
