// Seeded mutants of real Python files: the inputs that broke the analysis when a user pointed it
// at messy code (truncated files, thousands of nested brackets, a 100,000-term expression,
// non-UTF-8 bytes, deep indentation, huge lines). Shared by the fuzz test (test/unit/analysis/
// fuzz.test.ts: a few hundred mutants, in process) and bench/fuzz.mjs (thousands, through the CLI).
// Pure and deterministic: the same seed gives the same bytes.
import { seededRandom } from '../test/support/random';

export type MutationKind =
  | 'truncate'
  | 'deep-brackets'
  | 'unclosed-brackets'
  | 'long-expression'
  | 'long-chain'
  | 'non-utf8'
  | 'deep-indentation'
  | 'nested-definitions'
  | 'huge-line'
  | 'splice'
  | 'deep-unary';

export const MUTATION_KINDS: readonly MutationKind[] = [
  'truncate',
  'deep-brackets',
  'unclosed-brackets',
  'long-expression',
  'long-chain',
  'non-utf8',
  'deep-indentation',
  'nested-definitions',
  'huge-line',
  'splice',
  'deep-unary',
];

export interface Mutant {
  /** `<kind>-<n>-<source name>`: readable in a failure message. */
  name: string;
  kind: MutationKind;
  /** What was done, e.g. `6,214 nested "[" at line 40`. */
  detail: string;
  bytes: Buffer;
}

interface Scale {
  /** Nesting depth range for brackets, indentation and definitions. */
  depth: [number, number];
  /** Terms in a long expression. */
  terms: number;
  /** Characters in a huge line. */
  lineChars: number;
}

/** The issue's sizes: brackets 2,000-10,000 deep, 100,000 terms, 1 MB lines. */
export const FULL_SCALE: Scale = { depth: [2000, 10000], terms: 100_000, lineChars: 1_000_000 };

/**
 * `count` mutants of `sources` (name -> text), cycling through the kinds, each applied to a
 * source picked by the seeded generator.
 */
export function pythonMutants(sources: ReadonlyArray<{ name: string; text: string }>, count: number, seed: number, scale: Scale = FULL_SCALE): Mutant[] {
  const random = seededRandom(seed);
  const int = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const mutants: Mutant[] = [];
  for (let n = 0; n < count; n++) {
    const kind = MUTATION_KINDS[n % MUTATION_KINDS.length]!;
    const source = sources[int(0, sources.length - 1)]!;
    const { text } = source;
    const lines = text.split('\n');
    const at = int(0, lines.length - 1);
    const indent = /^[ \t]*/.exec(lines[at]!)![0];
    const insertLine = (line: string) => [...lines.slice(0, at), line, ...lines.slice(at)].join('\n');
    const depth = int(scale.depth[0], scale.depth[1]);
    let detail: string;
    let bytes: Buffer;
    switch (kind) {
      case 'truncate': {
        const cut = int(0, text.length);
        detail = `cut at character ${cut} of ${text.length}`;
        bytes = Buffer.from(text.slice(0, cut));
        break;
      }
      case 'deep-brackets':
      case 'unclosed-brackets': {
        const pair = ['()', '[]', '{}'][int(0, 2)]!;
        const open = pair[0]!;
        const close = pair[1]!;
        const closed = kind === 'deep-brackets';
        detail = `${depth} nested "${open}"${closed ? '' : ' never closed'} at line ${at + 1}`;
        bytes = Buffer.from(insertLine(`${indent}value = ${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`));
        break;
      }
      case 'long-expression': {
        const operator = [' + ', ' and ', ' | ', ', ', ' if x else '][int(0, 4)]!;
        detail = `${scale.terms} terms joined by "${operator.trim()}" at line ${at + 1}`;
        bytes = Buffer.from(insertLine(`${indent}value = ${Array.from({ length: scale.terms }, (_, i) => `t${i % 10}`).join(operator)}`));
        break;
      }
      case 'long-chain': {
        const link = ['.attr', '()', '[0]', '.f(x)'][int(0, 3)]!;
        detail = `a chain of ${scale.terms} "${link}" at line ${at + 1}`;
        bytes = Buffer.from(insertLine(`${indent}value = self${link.repeat(scale.terms)}`));
        break;
      }
      case 'deep-unary': {
        const prefix = ['not ', '-', '~', 'await ', 'lambda: ', 'yield '][int(0, 5)]!;
        detail = `${depth} nested "${prefix.trim()}" at line ${at + 1}`;
        bytes = Buffer.from(insertLine(`${indent}value = ${prefix.repeat(depth)}x`));
        break;
      }
      case 'non-utf8': {
        const raw = Buffer.from(text);
        const spots = int(1, 8);
        const parts: Buffer[] = [];
        let previous = 0;
        const offsets = Array.from({ length: spots }, () => int(0, raw.length)).sort((a, b) => a - b);
        for (const offset of offsets) {
          parts.push(raw.subarray(previous, offset), Buffer.from([0x80 + int(0, 0x7f), 0xff, 0xc3]));
          previous = offset;
        }
        parts.push(raw.subarray(previous));
        detail = `${spots} invalid UTF-8 sequences`;
        bytes = Buffer.concat(parts);
        break;
      }
      case 'deep-indentation': {
        const levels = Math.min(depth, 3000);
        const block: string[] = [];
        for (let i = 0; i < levels; i++) block.push(`${' '.repeat(i)}if x${i}:`);
        block.push(`${' '.repeat(levels)}pass`);
        detail = `${levels} nested if blocks at line ${at + 1}`;
        bytes = Buffer.from([...lines.slice(0, at), ...block, ...lines.slice(at)].join('\n'));
        break;
      }
      case 'nested-definitions': {
        const levels = Math.min(depth, 3000);
        const block: string[] = [];
        for (let i = 0; i < levels; i++) block.push(`${' '.repeat(i)}${i % 2 === 0 ? `class C${i}(luigi.Task):` : `def run(self):`}`);
        block.push(`${' '.repeat(levels)}yield C0()`);
        detail = `${levels} classes and methods nested in each other at line ${at + 1}`;
        bytes = Buffer.from([...lines.slice(0, at), ...block, ...lines.slice(at)].join('\n'));
        break;
      }
      case 'huge-line': {
        const shape = int(0, 2);
        const body = shape === 0 ? `"${'x'.repeat(scale.lineChars)}"` : shape === 1 ? `${'word '.repeat(scale.lineChars / 5)}` : `[${'1,'.repeat(scale.lineChars / 2)}]`;
        detail = `a ${scale.lineChars}-character line (${['string', 'bare words', 'list'][shape]}) at line ${at + 1}`;
        bytes = Buffer.from(insertLine(`${indent}value = ${body}`));
        break;
      }
      case 'splice': {
        // A block of the file pasted at another place, cut mid-line at both ends.
        const from = int(0, text.length);
        const to = Math.min(text.length, from + int(1, 2000));
        const where = int(0, text.length);
        detail = `characters ${from}-${to} pasted at ${where}`;
        bytes = Buffer.from(text.slice(0, where) + text.slice(from, to) + text.slice(where));
        break;
      }
    }
    mutants.push({ name: `${kind}-${n}-${source.name.replace(/[^\w.-]/g, '_')}`, kind, detail, bytes });
  }
  return mutants;
}
