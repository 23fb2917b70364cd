import { describe, expect, it } from 'vitest';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';

const source = (lines: string[]) => `${lines.join('\n')}\n`;

describe('extractModuleFacts', () => {
  it('reads every import form with its level, module and alias', () => {
    const facts = extractModuleFacts(
      source([
        'import luigi as lg',
        'import a.b.c',
        'import a.b as ab, os',
        'from luigi import Task as T, WrapperTask',
        'from . import mod',
        'from ..pkg.mod import (X as Y, Z,)',
        'from ... import far',
        'from luigi import *',
      ]),
    );
    expect(facts.imports.map(({ local, level, module, name }) => ({ local, level, module, name }))).toEqual([
      { local: 'lg', level: 0, module: 'luigi', name: undefined },
      { local: 'a', level: 0, module: 'a', name: undefined },
      { local: 'ab', level: 0, module: 'a.b', name: undefined },
      { local: 'os', level: 0, module: 'os', name: undefined },
      { local: 'T', level: 0, module: 'luigi', name: 'Task' },
      { local: 'WrapperTask', level: 0, module: 'luigi', name: 'WrapperTask' },
      { local: 'mod', level: 1, module: '', name: 'mod' },
      { local: 'Y', level: 2, module: 'pkg.mod', name: 'X' },
      { local: 'Z', level: 2, module: 'pkg.mod', name: 'Z' },
      { local: 'far', level: 3, module: '', name: 'far' },
      { local: '*', level: 0, module: 'luigi', name: '*' },
    ]);
    expect(facts.imports.map((i) => i.line)).toEqual([1, 2, 3, 3, 4, 4, 5, 6, 6, 7, 8]);
    // `import a.b.c` binds a, and loads a.b.c (whose file following imports must read).
    expect(facts.imports.map((i) => i.loads)).toEqual([undefined, 'a.b.c', undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('describes a class: bases, docstring, parameters, outputs, tables', () => {
    const facts = extractModuleFacts(
      source([
        'import luigi',
        '',
        '@luigi.util.requires(Upstream)',
        'class Load(base.SpannerTask, metaclass=Meta):',
        '    """Loads orders.',
        '',
        '    More text."""',
        '    day = luigi.DateParameter(default=datetime.date(2024, 1, 1))',
        '    limit = luigi.IntParameter(10, significant=False)',
        '    name = luigi.Parameter()',
        '    target_table = "Orders"',
        '',
        '    def output(self):',
        '        return luigi.LocalTarget(f"/tmp/{self.day}"), SpannerMarkerTarget(self.task_id, target_table=self.target_table)',
        '',
        '    def write(self, transaction):',
        '        transaction.insert("Orders", ["A"], [[1]])',
        '        transaction.delete("Stale", keyset)',
        '        transaction.execute_update("UPDATE Customers SET Seen = TRUE WHERE Id = 1")',
        '        "a,b".replace(",", ";")',
      ]),
    );
    const [load] = facts.classes;
    expect(load).toMatchObject({
      name: 'Load',
      line: 4,
      endLine: 20,
      doc: 'Loads orders.',
      bases: [{ parts: ['base', 'SpannerTask'], text: 'base.SpannerTask' }],
      decorators: [{ parts: ['luigi', 'util', 'requires'], args: [{ parts: ['Upstream'] }] }],
    });
    const calls = Object.fromEntries(load!.attributes.map((a) => [a.name, a.call]));
    expect(calls.day).toEqual({ callee: ['luigi', 'DateParameter'], calleeText: 'luigi.DateParameter', defaultText: 'datetime.date(2024, 1, 1)', significant: true });
    expect(calls.limit).toEqual({ callee: ['luigi', 'IntParameter'], calleeText: 'luigi.IntParameter', defaultText: '10', significant: false });
    expect(calls.name).toEqual({ callee: ['luigi', 'Parameter'], calleeText: 'luigi.Parameter', significant: true });
    expect(load!.attributes.find((a) => a.name === 'target_table')?.stringValue).toBe('Orders');
    expect(load!.outputs).toEqual([
      { target: 'LocalTarget', source: 'luigi.LocalTarget(f"/tmp/{self.day}")', line: 14, tables: [] },
      {
        target: 'SpannerMarkerTarget',
        source: 'SpannerMarkerTarget(self.task_id, target_table=self.target_table)',
        line: 14,
        tables: [{ expr: { k: "self", attr: "target_table" }, line: 14 }],
      },
    ]);
    expect(load!.writes.map((w) => w.table)).toEqual(['Orders', 'Stale', 'Customers']);
  });

  it('keeps what requires() mentions, minus locals, with self and super uses apart', () => {
    const facts = extractModuleFacts(
      source([
        'class T(luigi.Task):',
        '    def requires(self):',
        '        from .late import Late',
        '        deps = [A(x=i) for i in range(3)]',
        '        if self.full:',
        '            deps.append(mod.B(self.day))',
        '        for cls in (C, D):',
        '            deps.append(cls())',
        '        return deps + [self.clone(E), self.helper(), Late()] + super().requires() + super(T, self).extra()',
        '    def run(self):',
        '        first = yield [F(), G()]',
        '        H()',
        '        yield from self.more()',
      ]),
    );
    const [requires, run] = facts.classes[0]!.methods;
    // `T` in super(T, self) names the class itself: not a reference.
    expect(requires!.body.refs.map((r) => r.parts.join('.'))).toEqual(['A', 'range', 'mod.B', 'C', 'D', 'E', 'Late']);
    expect(requires!.body.selfUses.map((u) => u.name)).toEqual(['full', 'day', 'clone', 'helper']);
    expect(requires!.body.superCalls.map((u) => u.name)).toEqual(['requires', 'extra']);
    expect(requires!.imports).toMatchObject([{ local: 'Late', level: 1, module: 'late', name: 'Late' }]);
    expect(run!.yields.refs.map((r) => r.parts.join('.'))).toEqual(['F', 'G']);
    expect(run!.yields.selfUses.map((u) => u.name)).toEqual(['more']);
    expect(run!.body.refs.map((r) => r.parts.join('.'))).toEqual(['F', 'G', 'H']);
  });

  it('does not take a docstring, a comment or a string for a base or a reference', () => {
    const facts = extractModuleFacts(
      source([
        '"""Subclass luigi.Task to make a task."""',
        'class Plain:  # (luigi.Task)',
        '    """Like luigi.Task, but not."""',
        '    def requires(self):',
        '        return "luigi.Task"  # Other()',
      ]),
    );
    const [plain] = facts.classes;
    expect(plain!.bases).toEqual([]);
    expect(plain!.methods[0]!.body.refs).toEqual([]);
  });

  it('loses only the broken statements and reports each with its line', () => {
    const facts = extractModuleFacts(
      source([
        'class Before(luigi.Task):', // 1
        '    pass',
        '',
        'oops = luigi.IntParameter(', // 4
        '',
        'class After(luigi.Task):', // 6
        '    def requires(self):',
        '        return Before()',
        '',
        'def broken(:', // 10
        '    return 1',
        '',
        '@decorate',
        'class Last(luigi.Task):', // 14
        '    x = luigi.Parameter(',
        '    def requires(self):',
        '        return After()',
      ]),
    );
    expect(facts.classes.map((c) => [c.name, c.line])).toEqual([
      ['Before', 1],
      ['After', 6],
      ['Last', 14],
    ]);
    expect(facts.classes[1]!.methods[0]!.body.refs.map((r) => r.parts[0])).toEqual(['Before']);
    // Something missing is reported where the code stops; something unexpected where it stands.
    expect(facts.syntaxErrors.map((e) => [e.line, e.message])).toEqual([
      [4, expect.stringMatching(/^Syntax error: incomplete statement/)],
      [10, expect.stringMatching(/^Syntax error: incomplete statement/)],
      [16, 'Syntax error: unexpected "def"'],
    ]);
  });

  it('survives nesting too deep for the parser: that statement is reported, the rest analysed', () => {
    // Depending on the stack left, the parser overflows or gives up with an error node.
    const deep = `x = ${'('.repeat(3000)}1${')'.repeat(3000)}`;
    const facts = extractModuleFacts(source(['import luigi', deep, 'class C(luigi.Task):', '    def requires(self):', '        return D()']));
    expect(facts.classes.map((c) => c.name)).toEqual(['C']);
    expect(facts.classes[0]!.methods[0]!.body.refs.map((r) => r.parts[0])).toEqual(['D']);
    expect(facts.syntaxErrors.map((e) => [e.line, e.message])).toEqual([[2, expect.stringMatching(/^(Not analysed: .* too deeply|Syntax error: )/)]]);
  });

  it('keeps the last of two classes with the same name, as Python does', () => {
    const facts = extractModuleFacts(source(['class A(luigi.Task):', '    pass', 'class A(luigi.WrapperTask):', '    pass']));
    expect(facts.classes).toHaveLength(1);
    expect(facts.classes[0]).toMatchObject({ line: 3, bases: [{ text: 'luigi.WrapperTask' }] });
  });

  it('finds classes under if/try blocks at module level', () => {
    const facts = extractModuleFacts(
      source(['try:', '    from fast import Base', 'except ImportError:', '    from .slow import Base', 'if True:', '    class Inside(Base):', '        pass']),
    );
    expect(facts.classes.map((c) => c.name)).toEqual(['Inside']);
    expect(facts.imports.map((i) => i.module)).toEqual(['fast', 'slow']);
  });

  it('binds only the targets of an assignment, not a name on its right (nodes compare by position)', () => {
    const facts = extractModuleFacts(
      ['from pipelines.tables import ORDERS', 'TABLE = ORDERS', '', 'class T(luigi.Task):', '    def run(self):', '        task = Upstream', '        yield task()'].join('\n'),
    );
    expect(facts.values.map((v) => [v.name, v.expr])).toEqual([['TABLE', { k: 'name', parts: ['ORDERS'] }]]);
    // Upstream is the module's name, not a local: run() mentions it.
    expect(facts.classes[0]!.methods[0]!.body.refs.map((r) => r.parts.join('.'))).toContain('Upstream');
  });

  it('binds every name an unpacking assignment binds, and records writes through globals()', () => {
    const facts = extractModuleFacts(['(A,', ' B', ' ) = make()', 'c, d = 1, 2', '[e, *g] = h', 'x = y = 3', 'i.j, k[0] = 1, 2'].join('\n'));
    expect(facts.values.map((v) => v.name)).toEqual(['A', 'B', 'c', 'd', 'e', 'g', 'x', 'y']);
    expect(facts.dynamicGlobals).toBeUndefined();
    for (const text of ['globals().update(Flags.__members__)', 'for k in K:\n    globals()["CO_" + k] = 1', 'exec(code, globals())']) {
      expect(extractModuleFacts(text).dynamicGlobals, text).toBe(true);
    }
    expect(extractModuleFacts('if globals()["x"] == 1: pass').dynamicGlobals).toBeUndefined();
  });
});
