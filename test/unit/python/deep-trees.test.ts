// Trees thousands of levels deep (extension/core/python/deep-trees.ts): @lezer/common's builder
// flattens past 2,500 levels and took the parser's context records for leaves there, which gave
// nodes without a type (the lint's analysis-failed on bench/fuzz.mjs's long chains and unclosed
// brackets); and its recursion overflowed the stack of a cold process. Each input below is a
// minimised fuzz mutant that had untyped nodes with the plain build.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tree, type BufferCursor, type SyntaxNode } from '@lezer/common';
import { describe, expect, it } from 'vitest';
import { parsePython } from '../../../extension/core/analysis/python-parser';
import { FLATTEN_DEPTH, flattenedRecords, parseTree } from '../../../extension/core/python/deep-trees';
import { parser } from '../../../extension/core/python/grammar/parser';
import { Linter } from '../../../extension/core/lint/engine';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { ANALYSIS_FAILED } from '../../../extension/core/analysis/analysis-failure';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'fuzz', name), 'utf8');

/** Minimised fuzz mutants (bench/python-mutants.ts kinds long-chain and unclosed-brackets). */
const DEEP_INPUTS: Array<[name: string, text: () => string]> = [
  ['8,000 chained [0] in a function body', () => 'def f():\n    value = self' + '[0]'.repeat(8000) + '\n'],
  ['4,000 chained .f(x) in a function body', () => 'def f():\n    value = self' + '.f(x)'.repeat(4000) + '\n'],
  ['2,500 unclosed [ before a real module', () => 'value = ' + '['.repeat(2500) + '1\n' + fixture('wordcount.py')],
  ['2,500 unclosed ( before a real module', () => 'value = ' + '('.repeat(2500) + '1\n' + fixture('fib_test.py')],
  ['12,000 chained [0] at the top level (here the parser cuts its own stack first)', () => 'value = self' + '[0]'.repeat(12000) + '\n'],
];

/** Type ids of buffer entries outside the node set (what made `.name` throw). */
function foreignTypeIds(tree: Tree): number[] {
  const found = new Set<number>();
  const pending: Tree[] = [tree];
  while (pending.length > 0) {
    for (const child of pending.pop()!.children) {
      if (child instanceof Tree) pending.push(child);
      else for (let i = 0; i < child.buffer.length; i += 4) if (!parser.nodeSet.types[child.buffer[i]!]) found.add(child.buffer[i]!);
    }
  }
  return [...found];
}

/** Every node, read as the analysis reads them: name, getChild (which reads child types), ranges inside the parent. */
function readEveryNode(tree: Tree): number {
  let count = 0;
  const pending: SyntaxNode[] = [tree.topNode];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node.name !== 'string') throw new Error(`a node without a name at ${node.from}`);
    node.getChild('ArgList');
    count++;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.from < node.from || child.to > node.to) throw new Error(`${child.name} ${child.from}-${child.to} outside ${node.name} ${node.from}-${node.to}`);
      pending.push(child);
    }
  }
  return count;
}

function maxDepth(tree: Tree): number {
  let max = 0;
  const pending: Array<[SyntaxNode, number]> = [[tree.topNode, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    max = Math.max(max, depth);
    for (let child = node.firstChild; child; child = child.nextSibling) pending.push([child, depth + 1]);
  }
  return max;
}

/** A build cursor over a postfix record array, as @lezer/lr hands one to Tree.build. */
function cursorOver(records: readonly number[], pos = records.length): BufferCursor {
  return {
    pos,
    get id() { return records[this.pos - 4]!; },
    get start() { return records[this.pos - 3]!; },
    get end() { return records[this.pos - 2]!; },
    get size() { return records[this.pos - 1]!; },
    next() { this.pos -= 4; },
    fork() { return cursorOver(records, this.pos); },
  };
}

describe('trees thousands of levels deep', () => {
  it.each(DEEP_INPUTS)('%s: every node has a type, the builder did not overflow, the text is covered', (_name, make) => {
    const text = make();
    const tree = parseTree(text);
    expect(foreignTypeIds(tree)).toEqual([]);
    expect(tree.length).toBe(text.length);
    expect(readEveryNode(tree)).toBeGreaterThan(1000);
    // The part past FLATTEN_DEPTH is flat (the levels above it, all the analysis walks read, stand).
    expect(maxDepth(tree)).toBeLessThanOrEqual(FLATTEN_DEPTH + 2);
  });

  it('the graph keeps the statements around the deep one (the classes behind 2,500 unclosed brackets; a class after a chain)', () => {
    const unclosed = extractModuleFacts('value = ' + '('.repeat(2500) + '1\n' + fixture('fib_test.py'));
    expect(unclosed.classes.map((c) => c.name)).toEqual(['Fib', 'FibTestBase', 'FibTest']);
    expect(unclosed.syntaxErrors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^Not analysed: .* too deeply/) });
    const chain = extractModuleFacts(DEEP_INPUTS[0]![1]() + 'class A(luigi.Task):\n    pass\n');
    expect(chain.classes.map((c) => c.name)).toEqual(['A']);
  });

  it('lints each input without analysis-failed', () => {
    for (const [name, make] of DEEP_INPUTS) {
      const index = new WorkspaceIndex();
      const text = make();
      index.setFile('deep.py', text);
      const findings = new Linter({ index }).lintPythonFile('deep.py', text);
      expect(findings.filter((f) => f.code === ANALYSIS_FAILED), name).toEqual([]);
    }
  });

  it('a tree of ordinary depth is exactly the plain build, however many statements a block holds', () => {
    const long = (indent: string) => Array.from({ length: 3000 }, (_, i) => `${indent}x${i} = f(${i})\n`).join('');
    const texts = ['wordcount.py', 'fib_test.py', 'foo_complex.py'].map(fixture).concat([long(''), `def f():\n${long('    ')}`, `x = [\n${'    1,\n'.repeat(3000)}]\n`]);
    for (const text of texts) expect(parseTree(text).toString(), text.slice(0, 40)).toBe(parser.parse(text).toString());
  });

  it('incremental parses: a deep tree is not reused, an edit that makes a file deep still gives typed nodes', () => {
    const deep = DEEP_INPUTS[0]![1]();
    const edited = deep.replace('value', 'other');
    const again = parsePython(edited, { text: deep, tree: parsePython(deep) });
    expect(again.toString()).toBe(parseTree(edited).toString());
    expect(foreignTypeIds(again)).toEqual([]);

    const shallow = fixture('fib_test.py');
    const at = shallow.indexOf('class FibTest');
    const deepened = shallow.slice(0, at) + 'value = self' + '[0]'.repeat(12000) + '\n' + shallow.slice(at);
    const reparsed = parsePython(deepened, { text: shallow, tree: parsePython(shallow) });
    expect(foreignTypeIds(reparsed)).toEqual([]);
    readEveryNode(reparsed);
    // And back: the deep tree is not offered as fragments, so the result is a clean full parse.
    expect(parsePython(shallow, { text: deepened, tree: reparsed }).toString()).toBe(parser.parse(shallow).toString());
  });

  it('flattenedRecords: nodes below the limit lose their inner nodes, keep leaves and context records, sizes shrink', () => {
    const flat = (records: number[], limit: number, minRepeat = 1000) => {
      const cursor = flattenedRecords(cursorOver(records), limit, minRepeat);
      return Array.from(cursor.records.subarray(0, cursor.pos));
    };
    // Postfix records (type, from, to, size): 3( 4( 5( leaf6 ctx leaf7 ) ) leaf8 ).
    const records = [
      6, 0, 1, 4,
      99, 1, 1, -3, // a context change record (size -3): kept, in place
      7, 1, 2, 4,
      5, 0, 2, 16,
      4, 0, 2, 20,
      8, 2, 3, 4,
      3, 0, 3, 28,
    ];
    expect(flat(records, 2)).toEqual([
      6, 0, 1, 4,
      99, 1, 1, -3,
      7, 1, 2, 4,
      4, 0, 2, 16,
      8, 2, 3, 4,
      3, 0, 3, 24,
    ]);
    expect(flat(records, 3)).toEqual(records);
    // A repeat node (type >= minRepeat) right inside one of its own type adds no level (the
    // builder folds such chains, as in the `statement*` of a long module): 3( 50( 50( 50( leaf6 ) leaf7 ) leaf8 ) ).
    const repeats = [
      6, 0, 1, 4,
      50, 0, 1, 8,
      7, 1, 2, 4,
      50, 0, 2, 16,
      8, 2, 3, 4,
      50, 0, 3, 24,
      3, 0, 3, 28,
    ];
    expect(flat(repeats, 2, 50)).toEqual(repeats);
    expect(flat(repeats, 1, 50)).toEqual([6, 0, 1, 4, 7, 1, 2, 4, 8, 2, 3, 4, 3, 0, 3, 16]);
  });
});
