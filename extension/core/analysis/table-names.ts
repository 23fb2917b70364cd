// The one resolver of table names and SQL texts that are not literals, for the graph's lineage
// and the lint alike: module-level constants (also imported ones), class attributes through the
// task's base classes, `self.<attr>` in methods, `@property`s that return one expression, luigi
// Parameters with a literal default (marked: a run may pass another value), and f-strings,
// `.format` and `%` whose parts resolve (python/string-expr.ts). What is not known stays a hole:
// never a guessed table.
import type { ClassFacts } from './module-facts';
import type { Resolver } from './resolver';
import { evaluateStringExpr, knownText, type StringEnv, type StringExpr, type StringValue } from '../python/string-expr';

/** A workspace class in a method resolution order. */
export interface ClassEntry {
  file: string;
  cls: ClassFacts;
}

/** Where an expression is read: its file, and for methods and class bodies the class whose `self` it means. */
export interface StringScope {
  file: string;
  /** The method resolution order of the class `self` is an instance of (the task, not the base that wrote the method). */
  mro?: readonly ClassEntry[];
  /** Inside a class body: its earlier attributes are names there. */
  classBody?: ClassFacts;
  /**
   * Inside a helper function a task calls: its parameters, bound to the values of the call's
   * arguments (undefined: not passed, or nothing known of it).
   */
  params?: ReadonlyMap<string, StringValue | undefined>;
}

/** What the resolver needs from the graph builder. */
export interface TableNameHost {
  resolver: Resolver;
  /** The MRO of a workspace class. */
  mro(file: string, cls: ClassFacts): readonly ClassEntry[];
  /** Whether a class attribute's call is a luigi Parameter. */
  isParameter(file: string, callee: string[] | null, calleeText: string): boolean;
}

/** A resolved table name: its text, or what kept it unknown. */
export type TableName = { name: string; fromDefault: boolean } | { unresolved: string };

/**
 * The resolver as the lint sees it, for one file: an expression compiled from its tree (with the
 * function's locals already substituted) and the class whose method it is in, if any.
 */
export type TableNameResolver = (expr: StringExpr, className: string | undefined) => StringValue;

export class TableNames {
  constructor(private readonly host: TableNameHost) {}

  value(expr: StringExpr, scope: StringScope, depth = 0): StringValue {
    return evaluateStringExpr(expr, this.env(scope), depth);
  }

  /** A table name from an expression: known only when no part of it is a hole. */
  tableName(expr: StringExpr, scope: StringScope): TableName {
    const value = this.value(expr, scope);
    const text = knownText(value);
    if (text !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return { name: text, fromDefault: value.fromDefault };
    return { unresolved: text !== undefined ? JSON.stringify(text) : holes(value) };
  }

  private env(scope: StringScope): StringEnv {
    return {
      name: (parts, depth) => this.name(parts, scope, depth),
      self: (attr, depth) => (scope.mro ? this.member(scope.mro, attr, depth) : undefined),
    };
  }

  private name(parts: readonly string[], scope: StringScope, depth: number): StringValue | undefined {
    if (parts.length === 1 && scope.params?.has(parts[0]!)) return scope.params.get(parts[0]!);
    if (parts.length === 1 && scope.classBody) {
      const attribute = scope.classBody.attributes.find((a) => a.name === parts[0]);
      if (attribute) return this.member([{ file: scope.file, cls: scope.classBody }], parts[0]!, depth);
    }
    const resolved = this.host.resolver.resolve(scope.file, parts);
    if (resolved.kind === 'value') return resolved.value.expr ? this.value(resolved.value.expr, { file: resolved.file }, depth) : undefined;
    if (parts.length >= 2) {
      // `Tables.ORDERS`: an attribute of a workspace class.
      const owner = this.host.resolver.resolve(scope.file, parts.slice(0, -1));
      if (owner.kind === 'class') return this.member(this.host.mro(owner.file, owner.cls), parts[parts.length - 1]!, depth);
    }
    return undefined;
  }

  /** `attr` looked up on a class: the first class in the MRO that defines it decides. */
  private member(mro: readonly ClassEntry[], attr: string, depth: number): StringValue | undefined {
    for (const entry of mro) {
      const attribute = entry.cls.attributes.find((a) => a.name === attr);
      if (attribute) {
        if (attribute.call && this.host.isParameter(entry.file, attribute.call.callee, attribute.call.calleeText)) {
          const value = attribute.call.defaultExpr && this.value(attribute.call.defaultExpr, { file: entry.file, classBody: entry.cls }, depth);
          return value ? { ...value, fromDefault: true } : undefined;
        }
        return attribute.expr ? this.value(attribute.expr, { file: entry.file, mro, classBody: entry.cls }, depth) : undefined;
      }
      const method = entry.cls.methods.find((m) => m.name === attr);
      if (method) return method.returns ? this.value(method.returns, { file: entry.file, mro }, depth) : undefined;
    }
    return undefined;
  }
}

/** The unknown parts of a value, as written. */
export function holes(value: StringValue): string {
  return value.segments
    .filter((s): s is { hole: string } => typeof s !== 'string')
    .map((s) => s.hole)
    .join(', ');
}
