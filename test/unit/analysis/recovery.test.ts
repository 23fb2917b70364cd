// Recovery from syntax errors in module-facts.ts: a broken region is re-parsed piece by piece,
// cut at its column-0 lines, but never inside a string literal (text there is not code).
import { describe, expect, it } from 'vitest';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import { multiLineStrings } from '../../../extension/core/python/grammar/logical-lines';

describe('recovery from a syntax error', () => {
  // Shaped after spotify/luigi test/worker_test.py (test_unimported_job_type), with an unclosed call added.
  const source = [
    'import luigi',
    '',
    'class Real(luigi.Task):',
    '    def test_unimported_job_type(self):',
    '        broken = call(',
    '        MODULE_CONTENTS = b"""',
    'import luigi',
    '',
    '',
    'class UnimportedTask(luigi.Task):',
    '    def complete(self):',
    '        return False',
    '"""',
    "        OTHER = '''",
    'class InSingleQuotes(luigi.Task): pass',
    "'''",
    '',
    'class After(luigi.Task):',
    '    pass',
    '',
  ].join('\n');

  it('never reports a class written inside a string literal', () => {
    const facts = extractModuleFacts(source);
    expect(facts.syntaxErrors.length).toBeGreaterThan(0);
    const names = facts.classes.map((c) => c.name);
    expect(names).toContain('After');
    expect(names).not.toContain('UnimportedTask');
    expect(names).not.toContain('InSingleQuotes');
  });

  it('still recovers the classes after an unclosed triple quote', () => {
    const facts = extractModuleFacts(['import luigi', 'x = f("""', 'class A(luigi.Task):', '    pass', ''].join('\n'));
    expect(facts.syntaxErrors.length).toBeGreaterThan(0);
    expect(facts.classes.map((c) => c.name)).toEqual(['A']);
  });
});

describe('multiLineStrings', () => {
  const spans = (text: string) => multiLineStrings(text, 0, text.length).map((s) => text.slice(s.from, s.to));

  it('finds strings spanning lines, with any prefix and quote', () => {
    expect(spans('a = b"""x\ny"""\nc = \'\'\'\n\'\'\'\nd = rb"""\\"""\n"""')).toEqual(['"""x\ny"""', "'''\n'''", '"""\\"""\n"""']);
  });

  it('skips one-line strings, comments with quotes, escaped quotes', () => {
    expect(spans('a = "it\'s"  # don\'t """\nb = \'x\\\'\'\nc = """one line"""\n')).toEqual([]);
  });

  it('takes a short string continued by a backslash at the end of a line', () => {
    expect(spans("a = 'x\\\ny'\n")).toEqual(["'x\\\ny'"]);
  });

  it('leaves out an opening quote that is never closed', () => {
    expect(spans('a = """never closed\nclass A: pass\n')).toEqual([]);
  });
});

describe('indentation errors the grammar lets through', () => {
  const errors = (lines: string[]) => extractModuleFacts(`${lines.join('\n')}\n`).syntaxErrors.map((e) => `${e.line}:${e.column} ${e.message}`);

  it('reports an indented line that opens no block, as Python does', () => {
    expect(errors(['import a', '    import b', 'import c'])).toEqual(['2:4 Syntax error: unexpected indent']);
    expect(errors(['    x = 1'])).toEqual(['1:4 Syntax error: unexpected indent']);
  });

  it('reports a dedent to a column no enclosing block has', () => {
    expect(errors(['class A:', '    x = 1', '', '  def f(self):', '        return 1'])).toEqual(['4:2 Syntax error: unindent does not match any outer indentation level']);
  });

  it('accepts what only looks misindented: continuations, brackets, strings, comments, form feeds', () => {
    expect(
      errors([
        'x = 1 + \\',
        '        2',
        'y = [',
        '  1,',
        '      2]',
        'def f():',
        '    """Doc',
        'at column 0',
        '          deeper"""',
        '    s = f"{',
        '  x',
        '    }"',
        '# a comment at column 0',
        '        # a comment deeper',
        '    t = f\'{x:>{w}}\' "a" \'b\'',
        '\f',
        'class B: pass',
        'if x:',
        '\tpass',
      ]),
    ).toEqual([]);
  });
});

describe('strings the grammar closes at the end of their line', () => {
  const errors = (text: string) => extractModuleFacts(text).syntaxErrors.map((e) => `${e.line}:${e.column} ${e.message}`);

  it('reports a short string left open, as Python does', () => {
    expect(errors("def f():\n    return 'abc\n\nclass A:\n    pass\n")).toEqual(['2:11 Syntax error: unterminated string literal']);
  });

  it('accepts strings continued by a backslash and f-strings whose fields span lines (3.12)', () => {
    expect(errors("a = 'x\\\ny'\nb = f\"{\n    c\n}\"\nd = f'{e:\\'>{w}}'\n")).toEqual([]);
  });
});
