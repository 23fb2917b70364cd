// The forked Python grammar (extension/core/python/grammar/): the committed parser matches the
// grammar, and each construct the upstream @lezer/python grammar got wrong parses without a
// syntax error (each one was a false red squiggle on valid code), while real mistakes still do.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePython, type Tree } from '../../../extension/core/analysis/python-parser';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import { generatePythonParser, grammarDir } from '../../../scripts/python-grammar.mjs';

function errorLines(text: string, tree: Tree = parsePython(text)): number[] {
  const lines: number[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) lines.push(text.slice(0, node.from).split('\n').length);
    },
  });
  return lines;
}

/** Valid Python (from the version given), each a construct that used to give a syntax error. */
const VALID: Array<[name: string, since: string, code: string]> = [
  ['parenthesised context managers', '3.9', 'with (open(a) as f, open(b) as g):\n    pass\n'],
  ['parenthesised context managers, one a line, trailing comma, comments', '3.9', 'with (\n    a() as x,\n    # why\n    b(),\n):\n    pass\nx = 1\n'],
  ['parenthesised context managers without targets', '3.9', 'with (a, b):\n    pass\n'],
  ['a parenthesised expression that goes on after the parenthesis', '3.8', 'with (a).b() as c:\n    pass\n'],
  ['parenthesised context managers, then an indented body', '3.9', 'def f():\n    with (a as b,\n          c as d):\n        e = 1\n    return e\n'],
  ['with target a tuple', '3.8', 'with f() as (a, b):\n    pass\n'],
  ['with target an attribute', '3.8', 'with f() as self.w:\n    pass\n'],
  ['with target a subscript', '3.8', 'with f() as d[0], g() as (h):\n    pass\n'],
  ['bare yield', '3.8', 'def g():\n    yield\n'],
  ['yield as a value', '3.8', 'def g():\n    x = yield\n    y = yield from z\n    w: int = yield\n    v += yield\n'],
  ['yield in parentheses, in a lambda, in an f-string', '3.8', 'def g():\n    f = lambda: (yield)\n    f"{yield}"\n    return (yield)\n'],
  ['starred subscript', '3.11', 'a[*idx]\nb[1, *rest]\nx[a:b, *c]\ntuple[*tuple[int, ...]]\n'],
  ['starred annotation of *args', '3.11', 'def f(*args: *Ts): pass\n'],
  ['decorator: a subscript and attributes', '3.9', '@buttons[0].clicked.connect\ndef f(): pass\n'],
  ['decorator: walrus, boolean operators, lambda, call of a call', '3.9', '@(d := null)\n@False or null\n@lambda f: f\n@a.b(c)(d)\ndef f(): pass\n'],
  ['float literals with a trailing dot', '3.8', 'x = 1. + 2.j + 3.e5 + .5 + 1_0.\ny = f(42.)\n'],
  ['lambda: positional-only marker, trailing comma', '3.8', 'f = lambda a, /, b=2, *, c: a\ng = lambda a,: 0\nh = lambda *args,: 0\n'],
  ['empty patterns', '3.10', 'match x:\n    case {}:\n        pass\n    case []:\n        pass\n    case ():\n        pass\n    case Point():\n        pass\n'],
  ['match on a tuple', '3.10', 'match x, y:\n    case 1, 2:\n        pass\nmatch *a, b:\n    case _:\n        pass\n'],
  [
    'patterns: sequences, or, as, guards, mappings with dotted keys, classes, numbers, strings',
    '3.10',
    'match cmd:\n    case ["go", ("north" | "south") as d, *rest] if d:\n        pass\n    case {"k": v, Color.RED: w, **kw}:\n        pass\n    case Point(x=0, y=-1.5+2j) | str() as s:\n        pass\n    case -1:\n        pass\n    case "a" "b":\n        pass\n',
  ],
  ['soft keywords used as names', '3.10', 'match = 1\ncase = 2\ntype = 3\nmatch(x)\ntype(x).__name__\nprint(match, case)\nmatch.group(1)\n_ = [match for match in y]\n'],
  ['`print >> f, x` is a Python 3 expression', '3.8', "print >> sys.stderr, 'message'\nprint\n"],
  ['starred iterable of for', '3.9', 'for x in *a, b:\n    pass\n'],
  ['starred target in a comprehension', '3.8', 'ids = [i for i, *_ in pairs]\n'],
  ['format spec starting with "="', '3.8', "f'{x:=10}'\n"],
  ['backslash before {{ in a raw f-string', '3.8', "fr'\\{{\\}}'\nrf'\\{x}'\nr'\\''\n"],
  ['form feed on a line of its own', '3.8', 'import a\n\f\nclass A:\n    pass\n'],
  ['form feed in indentation', '3.8', 'if x:\n\f    pass\n'],
  ['byte-order mark', '3.8', '\ufeffimport os\n'],
  ['type parameters and type aliases (PEP 695)', '3.12', 'class A[T: (int, str), *Ts, **P]:\n    pass\ndef f[T](x: T) -> T: ...\ntype X[T] = list[T]\ntype Y = int\n'],
  ['type parameter defaults (PEP 696)', '3.13', 'def f[T = int](): pass\nclass A[*Ts = *tuple[int], **P = [int, str]]: pass\ntype Z[T = str] = list[T]\n'],
  ['f-strings: nested quotes, nested f-strings, lines, comments, backslashes (PEP 701)', '3.12', 'f"{x["a"]}"\nf"{f"{x}"}"\nf"{\n    x\n    + 1\n}"\nf\'\'\'{\n    x  # a comment\n}\'\'\'\nf"{\'\\n\'.join(a)}"\n'],
  ['except*', '3.11', 'try:\n    pass\nexcept* ValueError as e:\n    pass\n'],
  ['assignment expressions', '3.8', 'if (n := len(a)) > 10:\n    pass\nwhile chunk := f.read():\n    pass\n[y for x in d if (y := g(x))]\na[x := 1]\nf(a := 1)\n'],
  ['async forms', '3.8', 'async def f():\n    async with a as b, c:\n        pass\n    async for x in y:\n        pass\n    return [z async for z in w if await z]\n'],
];

/** Invalid Python that must still be reported (the fixes must not make the grammar accept these). */
const INVALID: Array<[name: string, code: string]> = [
  ['unclosed parenthesised context managers', 'with (open(a) as f:\n    pass\n'],
  ['with without a body', 'with a as b\n'],
  ['decorator on nothing', '@a\nx = 1\n'],
  ['yield from without a value', 'def g():\n    yield from\n'],
  ['unclosed call', 'x = f(\n'],
  ['Python 2 print statement', 'print "hello"\n'],
  ['a keyword as a name', 'class = 1\n'],
];

describe('python grammar', () => {
  it('the committed parser is what the grammar generates (run `node scripts/python-grammar.mjs` after editing it)', () => {
    const generated = generatePythonParser();
    for (const [name, text] of Object.entries(generated)) {
      expect(readFileSync(path.join(grammarDir, name), 'utf8'), `${name} is stale`).toBe(text);
    }
  }, 60_000); // generating the tables takes a few seconds, more on a loaded machine

  it.each(VALID)('parses %s (Python %s+) without a syntax error', (_name, _since, code) => {
    expect(errorLines(code)).toEqual([]);
  });

  it.each(INVALID)('still reports %s', (_name, code) => {
    expect(errorLines(code).length).toBeGreaterThan(0);
  });

  it('reads the task behind a decorator of any expression form', () => {
    const facts = extractModuleFacts(
      [
        'import luigi',
        '@luigi.util.requires(Upstream, Other)',
        '@buttons[0].clicked.connect',
        '@inherits(Base)',
        'class Load(luigi.Task):',
        '    pass',
        '',
      ].join('\n'),
    );
    expect(facts.syntaxErrors).toEqual([]);
    expect(facts.classes[0]!.decorators.map((d) => ({ parts: d.parts, args: d.args.map((a) => a.text) }))).toEqual([
      { parts: ['luigi', 'util', 'requires'], args: ['Upstream', 'Other'] },
      { parts: [], args: [] },
      { parts: ['inherits'], args: ['Base'] },
    ]);
  });

  it('a one-line edit inside parenthesised context managers re-parses to the same tree as a full parse', () => {
    const before = 'def f():\n    with (a as b,\n          c as d):\n        e = 1\n    return e\n';
    const after = before.replace('c as d', 'c as dd');
    const incremental = parsePython(after, { text: before, tree: parsePython(before) });
    expect(incremental.toString()).toBe(parsePython(after).toString());
    expect(errorLines(after, incremental)).toEqual([]);
  });
});
