// Code the grammar parses but Python's parser rejects, reported as syntax errors as `ast.parse`
// reports them: assignments to something that is not a target (extension/core/python/
// assignment-targets.ts) and a single `}` in an f-string (grammar/logical-lines.ts). Each case
// is also put to the test interpreter's `ast.parse`, so the table cannot drift from Python.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import { testPython } from '../../support/python';

/** Rejected code, with the line and CPython 3.11's message (and its line, where it points elsewhere). */
const REJECTED: Array<[code: string, line: number, message: string, pythonLine?: number]> = [
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
  // for and with ... as targets, del, the target of :=.
  ['for f() in x:\n    pass\n', 1, 'cannot assign to function call'],
  ['for a, b + 1 in x:\n    pass\n', 1, 'cannot assign to expression'],
  ['for [a, 1] in x:\n    pass\n', 1, 'cannot assign to literal'],
  ['for None in x:\n    pass\n', 1, 'cannot assign to None'],
  ['for (a := 1) in x:\n    pass\n', 1, 'cannot assign to named expression'],
  ['async def g():\n    async for f() in x:\n        pass\n', 2, 'cannot assign to function call'],
  ['for x in y:\n    for a.b() in x:\n        pass\n', 2, 'cannot assign to function call'],
  ['with a as f():\n    pass\n', 1, 'cannot assign to function call'],
  ['with a as b, c as d + 1:\n    pass\n', 1, 'cannot assign to expression'],
  ['with (a as b, c as [d, 1]):\n    pass\n', 1, 'cannot assign to literal'],
  ['with a as None:\n    pass\n', 1, 'cannot assign to None'],
  ['del f()\n', 1, 'cannot delete function call'],
  ['del a + 1\n', 1, 'cannot delete expression'],
  ['del a, 1\n', 1, 'cannot delete literal'],
  ['del (a, f())\n', 1, 'cannot delete function call'],
  ['if x:\n    del None\n', 2, 'cannot delete None'],
  ['x = [y for f() in z]\n', 1, 'cannot assign to function call'],
  ['x = {k: v for a + 1, b in y}\n', 1, 'cannot assign to expression'],
  ['x = {y for y in z for g() in y}\n', 1, 'cannot assign to function call'],
  ['x = [y for [a, 1] in z]\n', 1, 'cannot assign to literal'],
  ['f(x for None in y)\n', 1, 'cannot assign to None'],
  ['async def g():\n    return [x async for f() in y]\n', 2, 'cannot assign to function call'],
  ['(a.b := 1)\n', 1, 'cannot use assignment expressions with attribute'],
  ['(a[0] := 1)\n', 1, 'cannot use assignment expressions with subscript'],
  ['((a, b) := 1)\n', 1, 'cannot use assignment expressions with tuple'],
  ['([a] := 1)\n', 1, 'cannot use assignment expressions with list'],
  ['(f() := 1)\n', 1, 'cannot use assignment expressions with function call'],
  ['((a) := 1)\n', 1, 'cannot use assignment expressions with name'],
  ['x = [y for y in z if (a.b := y)]\n', 1, 'cannot use assignment expressions with attribute'],
  ['def f():\n    while (self.x := g()):\n        pass\n', 2, 'cannot use assignment expressions with attribute'],
  ['f"a}b"\n', 1, "f-string: single '}' is not allowed"],
  ["x = 1\ny = f'{x:}}'\n", 2, "f-string: single '}' is not allowed"],
  ["f'{{}'\n", 1, "f-string: single '}' is not allowed"],
  // CPython 3.11 points at the string's last line; the analysis at the brace's.
  ['s = f"""\n}\n"""\n', 2, "f-string: single '}' is not allowed", 3],
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
  'for a.b, c[0], (d, [e, *f]) in x:\n    pass\nelse:\n    pass\n',
  'for *a, b in x:\n    pass\nfor x, in y:\n    pass\n',
  'with a as b.c, d as e[0], f as (g, [h]):\n    pass\nwith a:\n    pass\n',
  'del (a, b), [c, d.e], f[0], (g), x,\ndel ()\ndel []\n',
  '(a := 1)\nif (n := len(x)) > 1:\n    pass\nprint([y := f(x), y ** 2])\nwhile chunk := read():\n    pass\n',
  'x = [y for y in z if (w := y)]\nf(a := 1)\nd = {"k": (v := 2)}\ns = f"{(x := 1)}"\n',
  'x = [a.b for a.b, c[0], (d, [e, *f]) in y]\ng = {k: v for k, v in d.items() for w in v}\nf(x for x in y)\nh = (n async for n in m)\n',
];

/** Per code: true when ast.parse accepts it, else [line, message] of its SyntaxError. */
function pythonVerdicts(codes: string[]): Array<true | [number, string]> {
  const script = 'import ast, json, sys\nout = []\nfor code in json.load(sys.stdin):\n    try:\n        ast.parse(code)\n        out.append(True)\n    except SyntaxError as e:\n        out.append([e.lineno, e.msg])\nprint(json.dumps(out))\n';
  return JSON.parse(execFileSync(testPython(), ['-c', script], { input: JSON.stringify(codes), encoding: 'utf8' })) as Array<true | [number, string]>;
}

describe('forms the grammar parses and Python rejects', () => {
  let verdicts: Array<true | [number, string]>;
  beforeAll(() => {
    verdicts = pythonVerdicts([...REJECTED.map(([code]) => code), ...ACCEPTED]);
  });

  it('the table agrees with ast.parse: what it rejects, on which line, with which message', () => {
    expect(verdicts).toEqual([...REJECTED.map(([, line, message, pythonLine]) => [pythonLine ?? line, message]), ...ACCEPTED.map(() => true)]);
  });

  it.each(REJECTED)('%j: a syntax error on line %i', (code, line, message) => {
    expect(extractModuleFacts(code).syntaxErrors.map((e) => [e.line, e.message])).toEqual([[line, `Syntax error: ${message}`]]);
  });

  it.each(ACCEPTED)('%j: no syntax error', (code) => {
    expect(extractModuleFacts(code).syntaxErrors).toEqual([]);
  });
});
