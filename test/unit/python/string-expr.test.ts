// String values computed statically (python/string-expr.ts): each kind of expression compiled
// from the tree, and evaluated against names that resolve or not (holes, never guesses).
import { describe, expect, it } from 'vitest';
import { parsePython } from '../../../extension/core/analysis/python-parser';
import { compileStringExpr, evaluateStringExpr, knownText, type StringEnv, type StringExpr, type StringValue } from '../../../extension/core/python/string-expr';

/** The expression of `x = <source>`, compiled with `locals` as the function's one-binding locals. */
function compile(source: string, locals: Record<string, StringExpr> = {}): StringExpr {
  const text = `x = ${source}\n`;
  const value = parsePython(text).topNode.firstChild!.lastChild!;
  return compileStringExpr(value, { of: (n) => text.slice(n.from, n.to) }, { local: (name) => locals[name], selfName: 'self' });
}

const known = (text: string): StringValue => ({ segments: [text], fromDefault: false });
const env: StringEnv = {
  name: (parts) => ({ TABLE: known('Orders'), 'config.PREFIX': known('Daily'), DAY: known('2024-01-01') })[parts.join('.')],
  self: (attr) => (attr === 'table' ? known('Customers') : attr === 'target' ? { segments: ['Audit'], fromDefault: true } : undefined),
};
const evaluate = (source: string, locals?: Record<string, StringExpr>) => evaluateStringExpr(compile(source, locals), env);
const text = (source: string, locals?: Record<string, StringExpr>) => knownText(evaluate(source, locals));

describe('compileStringExpr', () => {
  it('keeps literals (escapes decoded, raw strings as written) and adjacent literals as one', () => {
    expect(compile('"Orders"')).toEqual({ k: 'lit', v: 'Orders' });
    expect(compile('"a\\tb" r"\\d"')).toEqual({ k: 'lit', v: 'a\tb\\d' });
    expect(compile('b"Orders"')).toMatchObject({ k: 'unknown' });
  });

  it('leaves names, dotted names and self attributes to resolve; locals stand for their value', () => {
    expect(compile('TABLE')).toEqual({ k: 'name', parts: ['TABLE'] });
    expect(compile('config.TABLE')).toEqual({ k: 'name', parts: ['config', 'TABLE'] });
    expect(compile('self.table')).toEqual({ k: 'self', attr: 'table' });
    expect(compile('t', { t: { k: 'lit', v: 'Local' } })).toEqual({ k: 'lit', v: 'Local' });
    // `sd = _sample_data` then `sd.TABLE` (python-spanner's system tests).
    expect(compile('sd.TABLE', { sd: { k: 'name', parts: ['_sample_data'] } })).toEqual({ k: 'name', parts: ['_sample_data', 'TABLE'] });
    expect(compile('rows.table', { rows: { k: 'unknown', text: 'rows' } })).toMatchObject({ k: 'unknown' });
    expect(compile('self.a.b')).toMatchObject({ k: 'unknown' });
    expect(compile('get_table()')).toMatchObject({ k: 'unknown' });
  });

  it('splits f-strings into literal pieces and fields; a format spec or !r makes the field unknown', () => {
    expect(compile('f"SELECT * FROM {TABLE} WHERE a = {{x}}"')).toEqual({
      k: 'cat',
      parts: [{ k: 'lit', v: 'SELECT * FROM ' }, { k: 'name', parts: ['TABLE'] }, { k: 'lit', v: ' WHERE a = {x}' }],
    });
    expect(compile('f"{TABLE!s}"')).toEqual({ k: 'name', parts: ['TABLE'] });
    expect(compile('f"{TABLE!r}"')).toMatchObject({ k: 'unknown' });
    expect(compile('f"{TABLE:>10}"')).toMatchObject({ k: 'unknown' });
    expect(compile('f"{TABLE=}"')).toMatchObject({ k: 'unknown' });
  });
});

describe('evaluateStringExpr', () => {
  it('module constants, dotted constants, self attributes, locals', () => {
    expect(text('TABLE')).toBe('Orders');
    expect(text('config.PREFIX + "Revenue"')).toBe('DailyRevenue');
    expect(text('self.table')).toBe('Customers');
    expect(text('("Stg" + t)', { t: { k: 'name', parts: ['TABLE'] } })).toBe('StgOrders');
  });

  it('marks a value that comes from a Parameter default', () => {
    expect(evaluate('self.target')).toEqual({ segments: ['Audit'], fromDefault: true });
    expect(evaluate('"x_" + self.target').fromDefault).toBe(true);
    expect(evaluate('self.table').fromDefault).toBe(false);
  });

  it('f-strings, str.format (auto, numbered, named fields) and % (tuple, single value, dict)', () => {
    expect(text('f"SELECT * FROM {TABLE} WHERE d = \'{DAY}\'"')).toBe("SELECT * FROM Orders WHERE d = '2024-01-01'");
    expect(text('"UPDATE {0} SET d = DATE \'{1}\' WHERE {0}.x".format(self.table, DAY)')).toBe("UPDATE Customers SET d = DATE '2024-01-01' WHERE Customers.x");
    expect(text('"SELECT * FROM {t} {{braces}}".format(t=TABLE)')).toBe('SELECT * FROM Orders {braces}');
    expect(text('"{}_{}".format(config.PREFIX, TABLE)')).toBe('Daily_Orders');
    expect(text('"DELETE FROM %s WHERE d = \'%s\' -- 100%%" % (TABLE, DAY)')).toBe("DELETE FROM Orders WHERE d = '2024-01-01' -- 100%");
    expect(text('"SELECT * FROM %s" % TABLE')).toBe('SELECT * FROM Orders');
    expect(text('"SELECT * FROM %(t)s" % {"t": TABLE}')).toBe('SELECT * FROM Orders');
  });

  it('what does not resolve is a hole, in place: never a guess', () => {
    expect(evaluate('f"SELECT * FROM {TABLE} WHERE d = \'{self.day}\'"').segments).toEqual(["SELECT * FROM Orders WHERE d = '", { hole: 'self.day' }, "'"]);
    expect(evaluate('UNKNOWN').segments).toEqual([{ hole: 'UNKNOWN' }]);
    expect(evaluate('"{}".format(*args)').segments).toEqual([{ hole: '"{}".format(*args)' }]);
    expect(evaluate('"%d rows in %s" % (n, TABLE)').segments).toEqual([{ hole: '%d' }, ' rows in Orders']);
    expect(evaluate('"{0.name}".format(TABLE)').segments).toEqual([{ hole: '{0.name}' }]);
    expect(evaluate('template.format(TABLE)').segments).toEqual([{ hole: '.format(...)' }]);
  });

  it('is bounded: a name that stands for itself ends in a hole', () => {
    const loop: StringEnv = { name: (parts, depth) => evaluateStringExpr({ k: 'name', parts: [...parts] }, loop, depth), self: () => undefined };
    expect(knownText(evaluateStringExpr({ k: 'name', parts: ['A'] }, loop))).toBeUndefined();
  });
});
