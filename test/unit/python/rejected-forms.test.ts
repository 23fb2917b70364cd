// Code the grammar parses but Python's parser rejects, reported as syntax errors as `ast.parse`
// reports them: assignments to something that is not a target (extension/core/python/
// assignment-targets.ts) and a single `}` in an f-string (grammar/logical-lines.ts). Each case
// is also put to the test interpreter's `ast.parse`, so the table cannot drift from Python.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import { testPython } from '../../support/python';

/** Rejected code, with the line and CPython 3.11's message. */
const REJECTED: Array<[code: string, line: number, message: string]> = [
  ['a - r = 1\n', 1, "cannot assign to expression here. Maybe you meant '==' instead of '='?"],
  ['x = 1\nf() = 1\n', 2, "cannot assign to function call here. Maybe you meant '==' instead of '='?"],
  ['1 = x\n', 1, "cannot assign to literal here. Maybe you meant '==' instead of '='?"],
  ['None = 1\n', 1, 'cannot assign to None'],
  ['True = 1\n', 1, 'cannot assign to True'],
  ['[a + 1] = 1\n', 1, 'cannot assign to expression'],
  ['a, b + 1 = 1\n', 1, "cannot assign to expression here. Maybe you meant '==' instead of '='?"],
  ['a < b = 1\n', 1, 'cannot assign to comparison'],
  ['a and b = 1\n', 1, 'cannot assign to expression'],
  ['x = f() = 1\n', 1, 'cannot assign to function call'],
  ['a if b else c = 1\n', 1, 'cannot assign to conditional expression'],
  ['(x := 1) = 2\n', 1, "cannot assign to named expression here. Maybe you meant '==' instead of '='?"],
  ['[x for x in y] = 1\n', 1, "cannot assign to list comprehension here. Maybe you meant '==' instead of '='?"],
  ['{a: 1} = 1\n', 1, "cannot assign to dict literal here. Maybe you meant '==' instead of '='?"],
  ['f"{x}" = 1\n', 1, "cannot assign to f-string expression here. Maybe you meant '==' instead of '='?"],
  ['a + b += 1\n', 1, "'expression' is an illegal expression for augmented assignment"],
  ['(a, b) += 1\n', 1, "'tuple' is an illegal expression for augmented assignment"],
  ['(a, b): int = 1\n', 1, 'only single target (not tuple) can be annotated'],
  ['[a]: int\n', 1, 'only single target (not list) can be annotated'],
  ['f(): int\n', 1, 'illegal target for annotation'],
  ['class A:\n    def f(self):\n        if x:\n            self.a - 1 = 2\n', 4, "cannot assign to expression here. Maybe you meant '==' instead of '='?"],
  ['f"a}b"\n', 1, "f-string: single '}' is not allowed"],
  ["x = 1\ny = f'{x:}}'\n", 2, "f-string: single '}' is not allowed"],
  ["f'{{}'\n", 1, "f-string: single '}' is not allowed"],
  ['s = f"""\n}\n"""\n', 2, "f-string: single '}' is not allowed"],
  ['f"a\\}"\n', 1, "f-string: single '}' is not allowed"],
];

/** Valid neighbours of the cases above: no syntax error. */
const ACCEPTED: string[] = [
  'a.b[0], (c, [d, *e]) = f = g\n',
  '*a, b = c\n',
  '(*a,) = 1\n',
  '(a) += 1\n',
  '(a): int = 1\n',
  'a.b: int = 1\nc[0]: str\n',
  'x = y == 1\n',
  'x = (yield)\n',
  'f"a}}b{{c"\nf"{x:>{w}}"\nf"{ {1: 2}[1] }"\nf"{x!r:>10}}}"\n',
  '"a}b"\nb"}"\n',
  // A backslash does not escape a brace (idlelib/editor.py: rf"Software\Python\PythonCore\{sys.winver}"); \N{...} is a character.
  'k = rf"Software\\Python\\{sys.winver}"\nx = fr\'\\{6*7}\'\ny = f"\\N{EM DASH} {x}"\n',
  'print >> f, x\n',
];

function pythonVerdicts(codes: string[]): boolean[] {
  const script = 'import ast, json, sys\nout = []\nfor code in json.load(sys.stdin):\n    try:\n        ast.parse(code)\n        out.append(True)\n    except SyntaxError:\n        out.append(False)\nprint(json.dumps(out))\n';
  return JSON.parse(execFileSync(testPython(), ['-c', script], { input: JSON.stringify(codes), encoding: 'utf8' })) as boolean[];
}

describe('forms the grammar parses and Python rejects', () => {
  let verdicts: boolean[];
  beforeAll(() => {
    verdicts = pythonVerdicts([...REJECTED.map(([code]) => code), ...ACCEPTED]);
  });

  it('the table agrees with ast.parse', () => {
    expect(verdicts).toEqual([...REJECTED.map(() => false), ...ACCEPTED.map(() => true)]);
  });

  it.each(REJECTED)('%j: a syntax error on line %i', (code, line, message) => {
    expect(extractModuleFacts(code).syntaxErrors.map((e) => [e.line, e.message])).toEqual([[line, `Syntax error: ${message}`]]);
  });

  it.each(ACCEPTED)('%j: no syntax error', (code) => {
    expect(extractModuleFacts(code).syntaxErrors).toEqual([]);
  });
});
