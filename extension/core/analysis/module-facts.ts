// Per-file facts: what one Python module defines, imports and references, as plain data.
// Extracted once per file version from the lezer tree; the tree is not kept. Resolution across
// files (which class is a task, which name points where) happens later, in the workspace index.
import { failureReason } from './analysis-failure';
import { ERROR_TYPES, LineIndex, parsePython, Tree, type SyntaxNode } from './python-parser';
import { DML_METHODS, MUTATION_METHODS, QUERY_METHODS, READ_METHODS } from '../python/spanner-api';
import { sqlTableAccess } from '../sqlTables';
import { STDLIB_MODULES } from '../python/stdlib-modules';
import { callParts, children, dottedName, sameNode, type NodeText } from '../python/syntax';
import { compileStringExpr, literalTexts, type LocalValue, type StringExpr } from '../python/string-expr';
import { multiLineStrings, tokenizerError } from '../python/grammar/logical-lines';
import { invalidAssignmentTarget } from '../python/assignment-targets';

/**
 * Version of the ModuleFacts shape and of what extraction puts in it. Bump it with any change
 * to either: facts cached on disk (facts-cache.ts) under another version are discarded.
 */
export const FACTS_FORMAT = 8;

/** A write to the module's own namespace through globals() (see ModuleFacts.dynamicGlobals). */
const DYNAMIC_GLOBALS = /\bglobals\(\)\s*(?:\.\s*(?:update|setdefault)\b|\[[^\]\n]*\]\s*=[^=])|\bexec\s*\([^\n]*\bglobals\(\)/;

/** A name as written: `A`, `mod.A`, `luigi.contrib.postgres.CopyToTable`. */
export interface DottedRef {
  parts: string[];
  line: number;
  /** Written as the callee of a call, e.g. `A(...)`. */
  called: boolean;
}

/** `self.name` (or `cls.name`) inside a method; `name` is the first attribute. */
export interface SelfUse {
  name: string;
  line: number;
  called: boolean;
}

/** The names a piece of code mentions that could lead to other tasks. */
export interface CodeRefs {
  /** Dotted names whose root is not a local of the function. */
  refs: DottedRef[];
  /** `self.x` uses: methods and attributes looked up on the instance. */
  selfUses: SelfUse[];
  /** `super().x(...)` and `super(C, self).x(...)`. */
  superCalls: SelfUse[];
}

export interface ImportBinding {
  /** The name the import binds in this module. */
  local: string;
  /** 0 for absolute imports, the number of leading dots otherwise. */
  level: number;
  /** Dotted module after the dots; '' for `from . import x`. */
  module: string;
  /** The imported name for `from m import name`; absent for `import m`; '*' for star imports. */
  name?: string;
  /**
   * `import a.b.c` binds only `a` (module 'a') but loads a.b.c too: the whole dotted module, so
   * that its file is read when imports are followed (`a.b.c.X` resolves through it).
   */
  loads?: string;
  line: number;
}

/** A class-level `name = <expression>`; parameters are the ones whose value is a Parameter call. */
export interface AttributeFacts {
  name: string;
  line: number;
  refs: DottedRef[];
  /** The value when it is a plain string literal, e.g. `target_table = "Orders"`. */
  stringValue?: string;
  /** The value as a string expression (`PREFIX + "Orders"`, `TABLE`), when it may be one. */
  expr?: StringExpr;
  /** Present when the value is a call, e.g. `luigi.IntParameter(default=3)`. */
  call?: {
    callee: string[] | null;
    calleeText: string;
    /** `default=` keyword or first positional argument, as source text. */
    defaultText?: string;
    /** False only when `significant=False` is written. */
    significant: boolean;
    /** The default as a string expression, when it may be one (a table name a parameter defaults to). */
    defaultExpr?: StringExpr;
  };
}

/** An argument that names something: a dotted name, or `null` for any other expression. */
export interface ArgumentRef {
  parts: string[] | null;
  text: string;
  line: number;
}

export interface DecoratorFacts {
  parts: string[];
  line: number;
  args: ArgumentRef[];
  keywordArgs: Array<{ name: string; value: ArgumentRef }>;
}

/** Where a table name comes from: a literal, or an expression resolved later (`TABLE`, `self.table`, an f-string). */
export interface TableRef {
  table?: string;
  expr?: StringExpr;
  line: number;
}

/** A SQL text that is not one literal (an f-string, `.format`, a name): its tables are known once it is resolved. */
export interface SqlRef {
  expr: StringExpr;
  line: number;
  /** Given to a method that runs it: what the text counts as when nothing of it is known. */
  runs?: 'query' | 'dml';
}

export interface OutputFacts {
  target: string;
  source: string;
  line: number;
  tables: TableRef[];
}

export interface MethodFacts {
  name: string;
  line: number;
  /** Everything the body mentions. */
  body: CodeRefs;
  /**
   * What the body mentions inside `yield` expressions (dynamic dependencies when in run()),
   * including what the local variables a yield names were given: `deps = [A(i) for i in x]`,
   * `deps.append(B())`, `yield deps` or `yield luigi.DynamicRequirements(deps)` mention A and B.
   * `self.clone(...)` without a class, and `self.__class__(...)`, appear as the self use `__class__`.
   */
  yields: CodeRefs;
  /** Imports written inside the method; they shadow module-level names. */
  imports: ImportBinding[];
  /** A `@property` whose body returns one expression: that expression, as a string expression. */
  returns?: StringExpr;
}

export interface ClassFacts {
  name: string;
  /** 1-based line of the `class` keyword. */
  line: number;
  endLine: number;
  bases: ArgumentRef[];
  decorators: DecoratorFacts[];
  attributes: AttributeFacts[];
  methods: MethodFacts[];
  /** Present when the class defines output(). */
  outputs?: OutputFacts[];
  /** Tables written by mutation calls or DML strings in any method. */
  writes: TableRef[];
  /** Tables read by `read(...)` calls or SQL queries (also the SELECT inside DML) in any method. */
  reads: TableRef[];
  /** SQL texts that are not literals, in any method: their tables once resolved. */
  sql?: SqlRef[];
  /** Calls of module-level functions (of this module or imported) that pass what may be a table name or SQL. */
  helperCalls?: HelperCall[];
  doc?: string;
}

/**
 * `upsert(txn, "Orders", rows)` or `database.run_in_transaction(upsert, "Orders", rows)` in a
 * method: the function's own writes, reads and SQL count for the task, with its parameters bound to
 * these arguments. Only arguments that may name a table or hold SQL are kept (null otherwise).
 */
export interface HelperCall {
  callee: string[];
  args: Array<StringExpr | null>;
  kwargs?: Record<string, StringExpr>;
  line: number;
}

/** A module-level variable or function: what its value or body mentions. */
export interface ModuleValue {
  name: string;
  kind: 'variable' | 'function';
  line: number;
  refs: DottedRef[];
  /** A variable's value as a string expression (`TABLE = "Orders"`), when it may be one. */
  expr?: StringExpr;
  /** A function that writes, reads or runs SQL: its parameter names, in order (for HelperCall). */
  params?: string[];
  writes?: TableRef[];
  reads?: TableRef[];
  sql?: SqlRef[];
}

export interface SyntaxErrorFacts {
  line: number;
  column: number;
  message: string;
}

export interface ModuleFacts {
  classes: ClassFacts[];
  imports: ImportBinding[];
  values: ModuleValue[];
  syntaxErrors: SyntaxErrorFacts[];
  lineCount: number;
  /**
   * The module writes its own namespace (`globals().update(...)`, `globals()[name] = ...`,
   * `exec(code, globals())`, as the standard library's re, inspect and multiprocessing do): it may
   * define names the facts cannot list.
   */
  dynamicGlobals?: true;
}

/** The facts of a module that defines nothing (a file whose analysis failed). */
export function emptyModuleFacts(): ModuleFacts {
  return { classes: [], imports: [], values: [], syntaxErrors: [], lineCount: 0 };
}

/**
 * Extracts the facts of one module (parsing it unless its tree is given). A broken statement
 * loses only itself.
 */
export function extractModuleFacts(text: string, tree: Tree | undefined = tryParse(text)): ModuleFacts {
  return extract(text, tree, undefined, undefined);
}

/**
 * What each top-level statement of a module added to its facts, by the statement's text: an open
 * file's next version replays the statements an edit left alone instead of walking them again
 * (on a 2,000-line pipeline the walk was most of a keystroke's analysis). Holds only the
 * statements of the version it was made from.
 */
export type StatementMemo = Map<string, { line: number; ops: FactOp[] }>;

type FactOp = { import: ImportBinding } | { class: ClassFacts } | { value: ModuleValue };

/** Like extractModuleFacts, reusing `previous` (the last version's memo); returns this version's memo too. */
export function extractModuleFactsReusing(text: string, tree: Tree | undefined, previous: StatementMemo | undefined): { facts: ModuleFacts; memo: StatementMemo } {
  const memo: StatementMemo = new Map();
  return { facts: extract(text, tree, previous, memo), memo };
}

/** A deep copy of facts with every `line` and `endLine` moved by `shift` (the only positions a statement's facts hold besides columns). */
function shiftLines<T>(value: T, shift: number): T {
  if (Array.isArray(value)) return value.map((item) => shiftLines(item, shift)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = (key === 'line' || key === 'endLine') && typeof item === 'number' ? item + shift : shiftLines(item, shift);
  return copy as T;
}

function extract(text: string, tree: Tree | undefined, reuse: StatementMemo | undefined, memo: StatementMemo | undefined): ModuleFacts {
  const lines = new LineIndex(text);
  const builder = new FactsBuilder(text, lines);
  if (!tree) {
    // The parser itself gave up on the file (nesting deeper than its stack): take it apart.
    for (const piece of splitAtTopLevelLines(text, lines, 0, text.length)) builder.piece(piece.from, piece.to);
    return builder.finish();
  }
  const errors = errorOffsets(tree);
  const top: SyntaxNode[] = [];
  for (let node = tree.topNode.firstChild; node; node = node.nextSibling) top.push(node);

  const walk = (node: SyntaxNode) => (memo ? builder.memoStatement(node, reuse, memo) : builder.guardedStatement(node));
  if (errors.length === 0) {
    for (const node of top) walk(node);
    return builder.finish();
  }
  if (errors.length > MAX_REPARSED_ERRORS) {
    // Not code gone wrong in places but text that is not Python (a data dump, a pasted log):
    // re-parsing its regions would cost as much again as the first parse (seconds per MB of
    // errors) to recover nothing. The tree is taken as it is, with its first error reported.
    let reported = false;
    for (const node of top) {
      builder.guardedStatement(node);
      if (!reported) reported = builder.reportFirstError(node);
    }
    return builder.finish();
  }

  // A broken statement can swallow the statements after it (an unclosed bracket), or spill
  // its own body out as fake top-level statements (indented ones). Such a region is cut at
  // its column-0 lines, and each piece is parsed on its own, so that only the piece that is
  // really broken is lost.
  const spansError = (node: SyntaxNode) => errors.some((offset) => offset >= node.from && offset <= node.to);
  for (let i = 0; i < top.length; ) {
    const node = top[i]!;
    if (!spansError(node) && !node.type.isError) {
      walk(node);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < top.length) {
      const next = top[j]!;
      const misplaced = next.name !== 'Comment' && lines.column(next.from) !== 0;
      if (!misplaced && !spansError(next) && !next.type.isError) break;
      j++;
    }
    const regionEnd = j < top.length ? top[j]!.from : text.length;
    for (const piece of splitAtTopLevelLines(text, lines, node.from, regionEnd)) builder.piece(piece.from, piece.to);
    i = j;
  }
  return builder.finish();
}

/** Past this many error nodes a file's broken regions are not re-parsed piece by piece. */
const MAX_REPARSED_ERRORS = 5000;

/** The tree, or undefined when the parser runs out of stack (thousands of nested brackets). */
export function tryParse(text: string, previous?: { text: string; tree: Tree }): Tree | undefined {
  try {
    return parsePython(text, previous);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * Offsets of the error (⚠) nodes of a tree. Scans the packed node buffers directly: in a file
 * without errors (the usual case) this is several times faster than a cursor walk. Iterative:
 * thousands of nested brackets make trees thousands of levels deep.
 */
function errorOffsets(tree: Tree): number[] {
  const found: number[] = [];
  const pending: Array<{ tree: Tree; offset: number }> = [{ tree, offset: 0 }];
  while (pending.length > 0) {
    const { tree: current, offset } = pending.pop()!;
    if (current.type.isError) found.push(offset);
    current.children.forEach((child, i) => {
      const start = offset + current.positions[i]!;
      if (child instanceof Tree) {
        pending.push({ tree: child, offset: start });
        return;
      }
      // A TreeBuffer: (type, from, to, end) per node, positions relative to the buffer.
      const buffer = child.buffer;
      for (let j = 0; j < buffer.length; j += 4) if (ERROR_TYPES.has(buffer[j]!)) found.push(start + buffer[j + 1]!);
    });
  }
  return found.sort((a, b) => a - b);
}

/**
 * How deep the walks below follow nested statements and expressions. CPython itself refuses
 * more than 200 nested brackets, so valid code never comes near; a statement beyond it (fuzzed
 * or generated code) is reported as not analysed. An explicit limit rather than a caught stack
 * overflow: the result is the same on the main thread and in workers (smaller stacks), and a
 * walk stops at once instead of after filling the stack.
 */
export const MAX_NESTING = 1000;

/** Thrown by a walk past MAX_NESTING; the statement it is in is reported, not the file lost. */
export class NestingTooDeep extends Error {
  constructor() {
    super(`nesting deeper than ${MAX_NESTING} levels`);
  }
}

/**
 * Cuts [from, to) before every line that starts a new top-level statement. A line inside a
 * string literal spanning lines (a docstring, a `b"""..."""` holding code) is text, never a cut.
 */
function splitAtTopLevelLines(text: string, lines: LineIndex, from: number, to: number): Array<{ from: number; to: number }> {
  const pieces: Array<{ from: number; to: number }> = [];
  const strings = multiLineStrings(text, from, to);
  let nextString = 0;
  let start = from;
  let previousStartsDecorator = text[from] === '@';
  for (let line = lines.line(from) + 1; line <= lines.lineCount; line++) {
    const offset = lines.lineStart(line);
    if (offset >= to) break;
    while (nextString < strings.length && strings[nextString]!.to <= offset) nextString++;
    if (nextString < strings.length && strings[nextString]!.from < offset) continue;
    if (!startsTopLevelStatement(text, offset)) continue;
    // A decorator belongs to the definition under it.
    if (previousStartsDecorator) {
      previousStartsDecorator = text[offset] === '@';
      continue;
    }
    pieces.push({ from: start, to: offset });
    start = offset;
    previousStartsDecorator = text[offset] === '@';
  }
  pieces.push({ from: start, to });
  return pieces;
}

const CONTINUATION_KEYWORD = /^(else|elif|except|finally|case)\b/;

function startsTopLevelStatement(text: string, offset: number): boolean {
  const first = text[offset];
  if (first === undefined || ' \t\r\n\f#)]}'.includes(first)) return false;
  return !CONTINUATION_KEYWORD.test(text.slice(offset, offset + 8));
}

/** Methods that put values into a list, set or dict held in a local variable. */
const CONTAINER_ADDS = new Set(['append', 'extend', 'insert', 'add', 'update', 'appendleft', 'extendleft', 'setdefault']);
const TABLE_KEYWORDS = new Set(['target_table', 'table', 'table_name', 'table_id']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The content of a plain string literal (no f-string), or undefined. */
export function stringLiteralValue(text: string): string | undefined {
  const match = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(text);
  if (!match) return undefined;
  const quote = match[2]!;
  const body = text.slice(match[0].length);
  return body.endsWith(quote) ? body.slice(0, body.length - quote.length) : undefined;
}

/** Collects facts while walking top-level statements; `base` shifts offsets of re-parsed pieces. */
class FactsBuilder {
  base = 0;
  private readonly classes = new Map<string, ClassFacts>();
  private readonly imports: ImportBinding[] = [];
  private readonly values = new Map<string, ModuleValue>();
  private readonly syntaxErrors: SyntaxErrorFacts[] = [];

  constructor(
    private readonly source: string,
    private readonly lines: LineIndex,
  ) {}

  finish(): ModuleFacts {
    this.tokenizerErrors();
    // Helper calls only of names this module binds to a function or an import (not a class, not a
    // builtin, not the standard library's or Luigi's functions: those write no Spanner table).
    const callable = new Set<string>();
    for (const binding of this.imports) {
      const top = (binding.level > 0 ? '' : binding.module.split('.')[0]) ?? '';
      if (!STDLIB_MODULES.has(top) && top !== 'luigi') callable.add(binding.local);
    }
    // This module's own functions count only when they touch tables.
    for (const value of this.values.values()) if (value.kind === 'function' && value.params) callable.add(value.name);
    for (const [name, cls] of this.classes) {
      callable.delete(name);
      if (!cls.helperCalls) continue;
      cls.helperCalls = cls.helperCalls.filter((call) => callable.has(call.callee[0]!));
      if (cls.helperCalls.length === 0) delete cls.helperCalls;
    }
    return {
      classes: [...this.classes.values()].sort((a, b) => a.line - b.line),
      imports: this.imports,
      values: [...this.values.values()],
      syntaxErrors: this.syntaxErrors.sort((a, b) => a.line - b.line),
      lineCount: this.lines.lineCount,
      ...(DYNAMIC_GLOBALS.test(this.source) ? { dynamicGlobals: true as const } : {}),
    };
  }

  /** Problems a walk found (reported or not: one on a line that has one already is not), for memoStatement. */
  private problems = 0;

  /** What the statement being walked adds, while one is recorded for a StatementMemo. */
  private recording: FactOp[] | undefined;

  private addImport(binding: ImportBinding): void {
    this.imports.push(binding);
    this.recording?.push({ import: binding });
  }

  private setClass(facts: ClassFacts): void {
    // Redefinition: the last one wins, as in Python.
    this.classes.delete(facts.name);
    this.classes.set(facts.name, facts);
    this.recording?.push({ class: facts });
  }

  private setValue(value: ModuleValue): void {
    this.values.set(value.name, value);
    this.recording?.push({ value });
  }

  /**
   * Walks a top-level statement, or replays what the same text added last time (`reuse`), its lines
   * shifted to where it is now; records it into `memo`. A statement's facts depend on its text
   * alone (the builder's maps are written, never read, while statements are walked), and a top-level
   * statement starts at column 0, so only lines move. One that reported a syntax error is walked
   * every time (whether it is reported depends on the errors before it).
   */
  memoStatement(node: SyntaxNode, reuse: StatementMemo | undefined, memo: StatementMemo): void {
    const text = this.text(node);
    const line = this.line(node);
    const known = reuse?.get(text) ?? memo.get(text);
    if (known) {
      for (const op of known.ops) this.replay(op, line - known.line);
      memo.set(text, known);
      return;
    }
    const problems = this.problems;
    const ops: FactOp[] = [];
    this.recording = ops;
    try {
      this.guardedStatement(node);
    } finally {
      this.recording = undefined;
    }
    // Kept as copies: finish() and the index's consumers may change the facts handed out.
    if (this.problems === problems) memo.set(text, { line, ops: ops.map((op) => shiftLines(op, 0)) });
  }

  private replay(op: FactOp, shift: number): void {
    const copy = shiftLines(op, shift);
    if ('import' in copy) this.imports.push(copy.import);
    else if ('class' in copy) this.setClass(copy.class);
    else this.setValue(copy.value);
  }

  /** Errors of Python's tokenizer that the grammar lets through; once per line. */
  private tokenizerErrors(): void {
    const error = tokenizerError(this.source);
    if (!error) return;
    const line = this.lines.line(error.offset);
    if (this.syntaxErrors.some((e) => e.line === line)) return;
    this.syntaxErrors.push({ line, column: this.lines.column(error.offset), message: `Syntax error: ${error.message}` });
  }

  text(node: SyntaxNode): string {
    return this.source.slice(this.base + node.from, this.base + node.to);
  }

  line(node: SyntaxNode): number {
    return this.lines.line(this.base + node.from);
  }

  /** Records the first error inside `node` as a diagnostic; false when there is none. */
  reportFirstError(node: SyntaxNode): boolean {
    let found: SyntaxNode | undefined;
    node.cursor().iterate((n) => {
      if (found) return false;
      if (n.type.isError) found = n.node;
      return undefined;
    });
    if (!found) return false;
    let offset = this.base + found.from;
    const token = this.text(found).split('\n')[0]!.trim();
    // Something missing is reported right after the last code before it, not lines later.
    if (!token) while (offset > 0 && /\s/.test(this.source[offset - 1]!)) offset--;
    const message = token
      ? `Syntax error: unexpected "${token.length > 30 ? `${token.slice(0, 30)}…` : token}"`
      : 'Syntax error: incomplete statement (a bracket, an expression or a block is missing)';
    this.syntaxErrors.push({ line: this.lines.line(offset), column: this.lines.column(offset), message });
    return true;
  }

  /** Parses [from, to) on its own and takes its statements; reports its first syntax error. */
  piece(from: number, to: number): void {
    const tree = tryParse(this.source.slice(from, to));
    if (!tree) {
      this.tooDeep(from);
      return;
    }
    this.base = from;
    let reported = false;
    for (let node = tree.topNode.firstChild; node; node = node.nextSibling) {
      this.guardedStatement(node);
      if (!reported) reported = this.reportFirstError(node);
    }
    this.base = 0;
  }

  /**
   * A statement that cannot be walked is reported and skipped; the rest of the file stands.
   * Nesting past MAX_NESTING is the expected case. Anything else thrown here is a defect, but one
   * statement's worth of facts is all it costs (trees with nodes of no type, from @lezer/common's
   * flat build of very deep trees, were one such defect until python/deep-trees.ts).
   */
  guardedStatement(node: SyntaxNode): void {
    try {
      this.statementDepth = 0;
      this.statement(node);
      this.invalidTargets(node);
    } catch (error) {
      if (error instanceof NestingTooDeep || error instanceof RangeError) this.tooDeep(this.base + node.from);
      else this.notAnalysed(this.base + node.from, failureReason(error));
    }
  }

  /** An assignment to something Python cannot assign to (`a - r = 1`): the grammar lets it through. */
  private invalidTargets(node: SyntaxNode): void {
    const invalid = invalidAssignmentTarget(node, (n) => this.text(n));
    if (!invalid) return;
    this.problems++;
    const offset = this.base + invalid.node.from;
    const line = this.lines.line(offset);
    if (this.syntaxErrors.some((e) => e.line === line)) return;
    this.syntaxErrors.push({ line, column: this.lines.column(offset), message: `Syntax error: ${invalid.message}` });
  }

  private notAnalysed(offset: number, reason: string): void {
    this.problems++;
    this.syntaxErrors.push({ line: this.lines.line(offset), column: this.lines.column(offset), message: `Not analysed: this statement could not be analysed (${reason})` });
  }

  private statementDepth = 0;

  private tooDeep(offset: number): void {
    this.problems++;
    this.syntaxErrors.push({
      line: this.lines.line(offset),
      column: this.lines.column(offset),
      message: 'Not analysed: this statement nests brackets or expressions too deeply',
    });
  }

  statement(node: SyntaxNode): void {
    if (++this.statementDepth > MAX_NESTING) throw new NestingTooDeep();
    try {
      this.statementKind(node);
    } finally {
      this.statementDepth--;
    }
  }

  private statementKind(node: SyntaxNode): void {
    switch (node.name) {
      case 'ImportStatement':
        for (const binding of this.importBindings(node)) this.addImport(binding);
        return;
      case 'ClassDefinition':
        this.classDefinition(node, []);
        return;
      case 'DecoratedStatement': {
        const decorators = node.getChildren('Decorator').map((d) => this.decorator(d));
        const definition = node.getChild('ClassDefinition');
        if (definition) this.classDefinition(definition, decorators);
        const fn = node.getChild('FunctionDefinition');
        if (fn) this.moduleFunction(fn);
        return;
      }
      case 'FunctionDefinition':
        this.moduleFunction(node);
        return;
      case 'AssignStatement':
        this.moduleAssignment(node);
        return;
      case 'StatementGroup':
        for (let child = node.firstChild; child; child = child.nextSibling) this.statement(child);
        return;
      case 'IfStatement':
      case 'TryStatement':
      case 'WithStatement':
      case 'ForStatement':
      case 'WhileStatement':
        // Definitions under `if TYPE_CHECKING:`, `try: ... except ImportError:` and the like.
        for (const body of node.getChildren('Body')) {
          for (let child = body.firstChild; child; child = child.nextSibling) this.statement(child);
        }
        return;
      default:
        if (node.type.isError) {
          for (let child = node.firstChild; child; child = child.nextSibling) this.statement(child);
        }
    }
  }

  importBindings(node: SyntaxNode): ImportBinding[] {
    const line = this.line(node);
    const children: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
    const bindings: ImportBinding[] = [];
    if (children[0]?.name === 'import') {
      // import a.b.c [as x], d
      let parts: string[] = [];
      let alias: string | undefined;
      let expectAlias = false;
      const flush = () => {
        if (parts.length === 0) return;
        if (alias) bindings.push({ local: alias, level: 0, module: parts.join('.'), line });
        else bindings.push({ local: parts[0]!, level: 0, module: parts[0]!, ...(parts.length > 1 ? { loads: parts.join('.') } : {}), line });
        parts = [];
        alias = undefined;
      };
      for (const child of children.slice(1)) {
        if (child.name === ',') flush();
        else if (child.name === 'as') expectAlias = true;
        else if (child.name === 'VariableName') {
          if (expectAlias) {
            alias = this.text(child);
            expectAlias = false;
          } else parts.push(this.text(child));
        }
      }
      flush();
      return bindings;
    }
    // from [dots]module import names
    let level = 0;
    const moduleParts: string[] = [];
    let index = 1;
    for (; index < children.length; index++) {
      const child = children[index]!;
      if (child.name === 'import') break;
      if (child.name === '.' && moduleParts.length === 0) level += 1;
      else if (child.name === 'Ellipsis') level += 3;
      else if (child.name === 'VariableName') moduleParts.push(this.text(child));
    }
    const module = moduleParts.join('.');
    let name: string | undefined;
    let expectAlias = false;
    for (const child of children.slice(index + 1)) {
      if (child.name === '*') bindings.push({ local: '*', level, module, name: '*', line });
      else if (child.name === 'as') expectAlias = true;
      else if (child.name === 'VariableName') {
        if (expectAlias && name) {
          bindings.push({ local: this.text(child), level, module, name, line });
          name = undefined;
          expectAlias = false;
        } else {
          if (name) bindings.push({ local: name, level, module, name, line });
          name = this.text(child);
        }
      }
    }
    if (name) bindings.push({ local: name, level, module, name, line });
    return bindings;
  }

  /** `luigi.Task`, `T`, `mod.sub.X` as parts; null for anything else. */
  dotted(node: SyntaxNode): string[] | null {
    return dottedName(node, this.nodeText) ?? null;
  }

  readonly nodeText: NodeText = { of: (node) => this.text(node) };

  /** A string expression of `node` (see python/string-expr.ts), or undefined when it cannot be one. */
  stringExpr(node: SyntaxNode, options: { local?: LocalValue; selfName?: string } = {}): StringExpr | undefined {
    const expr = compileStringExpr(node, this.nodeText, options);
    return expr.k === 'unknown' ? undefined : expr;
  }

  argument(node: SyntaxNode): ArgumentRef {
    return { parts: this.dotted(node), text: this.text(node), line: this.line(node) };
  }

  decorator(node: SyntaxNode): DecoratorFacts {
    const parts: string[] = [];
    const args: ArgumentRef[] = [];
    const keywordArgs: DecoratorFacts['keywordArgs'] = [];
    // Any expression after the `@` (PEP 614); `@a.b` and `@a.b(args)` are the ones with a name.
    let expression = node.firstChild?.nextSibling ?? null;
    if (expression?.name === 'CallExpression') {
      const argList = expression.getChild('ArgList');
      if (argList) this.callArguments(argList, args, keywordArgs);
      expression = expression.firstChild;
    }
    if (expression) parts.push(...(this.dotted(expression) ?? []));
    return { parts, line: this.line(node), args, keywordArgs };
  }

  /** Splits an ArgList into positional and keyword arguments. */
  callArguments(argList: SyntaxNode, args: ArgumentRef[], keywordArgs: Array<{ name: string; value: ArgumentRef }>): void {
    let pendingKeyword: string | undefined;
    // (prevSibling would rescan the list from its start: remember the previous name instead.)
    let previous = '';
    for (let child = argList.firstChild; child; previous = child.name, child = child.nextSibling) {
      const name = child.name;
      if (name === '(' || name === ')' || name === ',' || name === '*' || name === '**' || child.type.isError) continue;
      if (name === 'VariableName' && child.nextSibling?.name === 'AssignOp') {
        pendingKeyword = this.text(child);
        continue;
      }
      if (name === 'AssignOp') continue;
      if (previous === '*' || previous === '**') continue;
      if (pendingKeyword !== undefined) {
        keywordArgs.push({ name: pendingKeyword, value: this.argument(child) });
        pendingKeyword = undefined;
      } else args.push(this.argument(child));
    }
  }

  classDefinition(node: SyntaxNode, decorators: DecoratorFacts[]): void {
    const nameNode = node.getChild('VariableName');
    if (!nameNode) return;
    const facts: ClassFacts = {
      name: this.text(nameNode),
      line: this.line(node),
      endLine: this.lines.line(this.base + Math.max(node.from, node.to - 1)),
      bases: [],
      decorators,
      attributes: [],
      methods: [],
      writes: [],
      reads: [],
    };
    const argList = node.getChild('ArgList');
    if (argList) this.callArguments(argList, facts.bases, []);
    const body = node.getChild('Body');
    if (body) this.classBody(body, facts, true);
    this.setClass(facts);
  }

  classBody(body: SyntaxNode, facts: ClassFacts, first: boolean, depth = 0): void {
    if (depth > MAX_NESTING) throw new NestingTooDeep();
    for (let statement = body.firstChild; statement; statement = statement.nextSibling) {
      const name = statement.name;
      if (name === ':' || name === 'Comment') continue;
      if (first && name === 'ExpressionStatement') {
        const literal = statement.firstChild;
        if (literal?.name === 'String') facts.doc = firstDocLine(this.text(literal));
      }
      first = false;
      if (name === 'AssignStatement') this.classAttribute(statement, facts);
      else if (name === 'FunctionDefinition') this.method(statement, facts);
      else if (name === 'DecoratedStatement') {
        const fn = statement.getChild('FunctionDefinition');
        const property = statement.getChildren('Decorator').some((d) => /^@\s*property\s*$/.test(this.text(d)));
        if (fn) this.method(fn, facts, property);
      } else if (name === 'IfStatement' || name === 'TryStatement' || name === 'WithStatement') {
        for (const inner of statement.getChildren('Body')) this.classBody(inner, facts, false, depth + 1);
      } else if (name === 'StatementGroup') {
        for (let child = statement.firstChild; child; child = child.nextSibling) {
          if (child.name === 'AssignStatement') this.classAttribute(child, facts);
        }
      }
    }
  }

  classAttribute(node: SyntaxNode, facts: ClassFacts): void {
    const target = node.firstChild;
    const value = node.lastChild;
    if (target?.name !== 'VariableName' || !value || sameNode(value, target) || value.name === 'TypeDef') return;
    const attribute: AttributeFacts = { name: this.text(target), line: this.line(node), refs: new CodeWalker(this, new Set()).expression(value).refs };
    if (value.name === 'String') {
      const literal = stringLiteralValue(this.text(value));
      if (literal !== undefined) attribute.stringValue = literal;
    }
    const expr = value.name === 'CallExpression' && !isFormatCall(value, this.nodeText) ? undefined : this.stringExpr(value);
    if (expr) attribute.expr = expr;
    if (value.name === 'CallExpression') {
      const callee = value.firstChild!;
      const args: ArgumentRef[] = [];
      const keywordArgs: Array<{ name: string; value: ArgumentRef }> = [];
      const argList = value.getChild('ArgList');
      if (argList) this.callArguments(argList, args, keywordArgs);
      const byName = new Map(keywordArgs.map((k) => [k.name, k.value.text]));
      const defaultText = byName.get('default') ?? args[0]?.text;
      attribute.call = { callee: this.dotted(callee), calleeText: this.text(callee), significant: byName.get('significant') !== 'False' };
      if (defaultText !== undefined) attribute.call.defaultText = defaultText;
      const parts = callParts(value, this.nodeText);
      const defaultNode = parts && (parts.keywords.get('default') ?? parts.positional[0]);
      const defaultExpr = defaultNode && this.stringExpr(defaultNode);
      if (defaultExpr) attribute.call.defaultExpr = defaultExpr;
    }
    facts.attributes = facts.attributes.filter((a) => a.name !== attribute.name);
    facts.attributes.push(attribute);
  }

  method(node: SyntaxNode, facts: ClassFacts, property = false): void {
    const nameNode = node.getChild('VariableName');
    const body = node.getChild('Body');
    if (!nameNode || !body) return;
    const name = this.text(nameNode);
    const params = node.getChild('ParamList');
    const locals = new Set<string>();
    let selfName: string | undefined;
    const walker = new CodeWalker(this, locals);
    if (params) {
      walker.parameters(params);
      const first = params.getChild('VariableName');
      if (first) selfName = this.text(first);
    }
    walker.selfName = selfName;
    walker.collectReturns = name === 'output';
    walker.block(body);
    const method: MethodFacts = { name, line: this.line(node), body: walker.finish(walker.all), yields: walker.finish(walker.yieldsThroughLocals()), imports: walker.imports };
    if (property) {
      const returned = this.propertyReturn(body);
      const expr = returned && this.stringExpr(returned, selfName !== undefined ? { selfName } : {});
      if (expr) method.returns = expr;
    }
    facts.methods = facts.methods.filter((m) => m.name !== name);
    facts.methods.push(method);
    facts.writes.push(...walker.writes);
    facts.reads.push(...walker.reads);
    if (walker.sql.length > 0) (facts.sql ??= []).push(...walker.sql);
    if (walker.helperCalls.length > 0) (facts.helperCalls ??= []).push(...walker.helperCalls);
    if (name === 'output') facts.outputs = walker.returns.flatMap((r) => this.outputs(r, selfName));
  }

  /** The expression of a body that is `return <expression>` (after a docstring), if so. */
  private propertyReturn(body: SyntaxNode): SyntaxNode | undefined {
    const statements: SyntaxNode[] = [];
    for (let child = body.firstChild; child; child = child.nextSibling) if (child.name !== ':' && child.name !== 'Comment') statements.push(child);
    if (statements[0]?.name === 'ExpressionStatement' && statements[0].firstChild?.name === 'String') statements.shift();
    const only = statements.length === 1 ? statements[0]! : undefined;
    if (only?.name !== 'ReturnStatement') return undefined;
    const values = [];
    for (let child = only.firstChild; child; child = child.nextSibling) if (child.name !== 'return') values.push(child);
    return values.length === 1 ? values[0] : undefined;
  }

  /** One output per target expression: lists, tuples and dicts of targets are split. */
  outputs(node: SyntaxNode, selfName: string | undefined): OutputFacts[] {
    switch (node.name) {
      case 'ArrayExpression':
      case 'TupleExpression':
      case 'ParenthesizedExpression': {
        const result: OutputFacts[] = [];
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (!['[', ']', '(', ')', ','].includes(child.name)) result.push(...this.outputs(child, selfName));
        }
        return result;
      }
      case 'DictionaryExpression': {
        const result: OutputFacts[] = [];
        let previous = '';
        for (let child = node.firstChild; child; previous = child.name, child = child.nextSibling) {
          if (previous === ':') result.push(...this.outputs(child, selfName));
        }
        return result;
      }
      case 'None':
        return [];
    }
    const source = this.text(node);
    const output: OutputFacts = { target: source, source, line: this.line(node), tables: [] };
    if (node.name === 'CallExpression') {
      const callee = this.dotted(node.firstChild!);
      if (callee && callee[0] !== selfName) output.target = callee[callee.length - 1]!;
      for (const [name, value] of callParts(node, this.nodeText)?.keywords ?? []) {
        if (!TABLE_KEYWORDS.has(name)) continue;
        const table = this.tableRef(value, { ...(selfName !== undefined ? { selfName } : {}) });
        if (table) output.tables.push(table);
      }
    }
    return [output];
  }

  /**
   * A table named by `node`: a literal name as it is; anything else as an expression resolved
   * with the graph (a name, `self.table`, an f-string), unresolved ones included so they count.
   */
  tableRef(node: SyntaxNode, options: { local?: LocalValue; selfName?: string }): TableRef | undefined {
    const line = this.line(node);
    const expr = compileStringExpr(node, this.nodeText, options);
    if (expr.k === 'lit') return IDENTIFIER.test(expr.v) ? { table: expr.v, line } : undefined;
    if (expr.k === 'unknown' && ['Number', 'None', 'Boolean', 'ArrayExpression', 'TupleExpression', 'DictionaryExpression', 'SetExpression'].includes(node.name)) return undefined;
    return { expr, line };
  }

  moduleFunction(node: SyntaxNode): void {
    const nameNode = node.getChild('VariableName');
    const body = node.getChild('Body');
    if (!nameNode || !body) return;
    const walker = new CodeWalker(this, new Set());
    walker.keepParameters = true;
    const params = node.getChild('ParamList');
    if (params) walker.parameters(params);
    walker.block(body);
    const name = this.text(nameNode);
    const value: ModuleValue = { name, kind: 'function', line: this.line(node), refs: walker.finish(walker.all).refs };
    if (walker.writes.length + walker.reads.length + walker.sql.length > 0) {
      value.params = params ? children(params).filter((c) => c.name === 'VariableName' && c.prevSibling?.name !== 'AssignOp').map((c) => this.text(c)) : [];
      if (walker.writes.length > 0) value.writes = walker.writes;
      if (walker.reads.length > 0) value.reads = walker.reads;
      if (walker.sql.length > 0) value.sql = walker.sql;
    }
    this.setValue(value);
  }

  moduleAssignment(node: SyntaxNode): void {
    const value = node.lastChild;
    if (!value || value.name === 'TypeDef') return;
    const refs = new CodeWalker(this, new Set()).expression(value).refs;
    const expr = value.name === 'CallExpression' && !isFormatCall(value, this.nodeText) ? undefined : this.stringExpr(value);
    for (let target = node.firstChild; target && !sameNode(target, value); target = target.nextSibling) {
      if (target.name === 'AssignOp') continue;
      if (target.name === 'VariableName') {
        const name = this.text(target);
        this.setValue({ name, kind: 'variable', line: this.line(node), refs, ...(expr ? { expr } : {}) });
      } else {
        // `a, (b, *c) = value` and `[a, b] = value` bind each name, to a part of the value.
        for (const name of this.unpackedNames(target)) this.setValue({ name, kind: 'variable', line: this.line(node), refs });
      }
    }
  }

  private unpackedNames(target: SyntaxNode, depth = 0): string[] {
    if (target.name === 'VariableName') return [this.text(target)];
    if (depth > 20 || !['TupleExpression', 'ParenthesizedExpression', 'ArrayExpression', 'StarExpression'].includes(target.name)) return [];
    const names: string[] = [];
    for (let child = target.firstChild; child; child = child.nextSibling) names.push(...this.unpackedNames(child, depth + 1));
    return names;
  }
}

const STRING_NODES = new Set(['String', 'FormatString', 'ContinuedString']);
/** Words whose presence makes a string expression worth keeping as possible SQL. */
const SQL_WORD = /\b(?:select|insert|update|delete)\b/i;

/** Whether `node` is a part of a larger string expression (`"a" + x`, `"..." % x`, `"...".format`, adjacent literals), which is read as a whole. */
function insideStringExpression(node: SyntaxNode, src: NodeText): boolean {
  let child = node;
  let parent = node.parent;
  while (parent?.name === 'ParenthesizedExpression') {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  if (parent.name === 'ContinuedString') return true;
  if (parent.name === 'BinaryExpression') {
    const op = parent.getChild('ArithOp');
    return !!op && (src.of(op) === '+' || src.of(op) === '%');
  }
  return parent.name === 'MemberExpression' && parent.firstChild === child && parent.lastChild?.name === 'PropertyName' && src.of(parent.lastChild) === 'format' && parent.parent?.name === 'CallExpression';
}

/** Descendants named `name`, not inside one another (iterative). */
function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (let c = current.lastChild; c; c = c.prevSibling) {
      if (c.name === name) found.push(c);
      else stack.push(c);
    }
  }
  return found.reverse();
}

/** `"...".format(...)`: a call whose value is a string. */
function isFormatCall(node: SyntaxNode, src: NodeText): boolean {
  const callee = node.firstChild;
  return callee?.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName' && src.of(callee.lastChild) === 'format';
}

function firstDocLine(literalText: string): string | undefined {
  const line = stringLiteralValue(literalText)
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line || undefined;
}

interface RefSink {
  refs: DottedRef[];
  selfUses: SelfUse[];
  superCalls: SelfUse[];
}

const emptySink = (): RefSink => ({ refs: [], selfUses: [], superCalls: [] });

/** Walks the code of one function (or one expression) and records what it mentions. */
class CodeWalker {
  selfName: string | undefined;
  collectReturns = false;
  readonly all: RefSink = emptySink();
  readonly inYield: RefSink = emptySink();
  readonly imports: ImportBinding[] = [];
  readonly writes: TableRef[] = [];
  readonly reads: TableRef[] = [];
  readonly sql: SqlRef[] = [];
  readonly helperCalls: HelperCall[] = [];
  readonly returns: SyntaxNode[] = [];
  /**
   * In a module-level function: its parameters stay names in string expressions (`f"... {table}"`),
   * bound later to a task's arguments (HelperCall). Elsewhere a parameter is unknown.
   */
  keepParameters = false;
  private readonly parameterNames = new Set<string>();
  /** How often each local is bound, and the value of its plain `name = value` binding: a local bound once stands for its value. */
  private readonly bindings = new Map<string, number>();
  private readonly assigned = new Map<string, SyntaxNode>();
  private readonly compiling = new Set<string>();
  /** The SQL argument of the query or DML call being walked: what it counts as when nothing of it is known. */
  private sqlArgument: { from: number; to: number; runs: 'query' | 'dml' } | undefined;
  private readonly globals = new Set<string>();
  private yieldDepth = 0;
  /** What each local variable was given (assigned, appended, added): followed from the yields that name it. */
  private readonly localValues = new Map<string, RefSink>();
  /** The sinks of the locals whose value is being walked (nested assignments stack up). */
  private readonly captures: RefSink[] = [];
  /** Nesting of visit() calls, bounded by MAX_NESTING. */
  private depth = 0;

  constructor(
    private readonly facts: FactsBuilder,
    private readonly locals: Set<string>,
  ) {}

  expression(node: SyntaxNode): CodeRefs {
    this.visit(node, false);
    return this.finish(this.all);
  }

  /** Refs whose root is a local of the function are dropped; duplicates are kept once. */
  finish(sink: RefSink): CodeRefs {
    const isLocal = (name: string) => this.locals.has(name) && !this.globals.has(name);
    const seen = new Set<string>();
    const refs = sink.refs.filter((ref) => {
      if (isLocal(ref.parts[0]!)) return false;
      const key = `${ref.parts.join('.')}/${ref.called}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const unique = (uses: SelfUse[]) => {
      const keys = new Set<string>();
      return uses.filter((use) => !keys.has(use.name) && keys.add(use.name));
    };
    return { refs, selfUses: unique(sink.selfUses), superCalls: unique(sink.superCalls) };
  }

  parameters(params: SyntaxNode): void {
    let previous = '';
    for (let child = params.firstChild; child; previous = child.name, child = child.nextSibling) {
      if (child.name === 'VariableName') {
        if (previous === 'AssignOp') this.visit(child, false);
        else {
          this.locals.add(this.facts.text(child));
          this.parameterNames.add(this.facts.text(child));
        }
      } else if (child.name !== 'TypeDef' && child.name !== 'AssignOp') this.visit(child, false);
    }
  }

  block(body: SyntaxNode): void {
    for (let child = body.firstChild; child; child = child.nextSibling) this.visit(child, false);
  }

  private record(ref: DottedRef): void {
    this.all.refs.push(ref);
    if (this.yieldDepth > 0) this.inYield.refs.push(ref);
    for (const capture of this.captures) capture.refs.push(ref);
  }

  private recordSelf(kind: 'selfUses' | 'superCalls', use: SelfUse): void {
    this.all[kind].push(use);
    if (this.yieldDepth > 0) this.inYield[kind].push(use);
    for (const capture of this.captures) capture[kind].push(use);
  }

  /** Walks `node` as (part of) the value of the local variables `names`. */
  private visitAsValueOf(names: readonly string[], node: SyntaxNode): void {
    const sinks = names.map((name) => {
      let sink = this.localValues.get(name);
      if (!sink) this.localValues.set(name, (sink = emptySink()));
      return sink;
    });
    this.captures.push(...sinks);
    try {
      this.visit(node, false);
    } finally {
      this.captures.length -= sinks.length;
    }
  }

  /**
   * The yields' mentions plus, for every local variable they name, what that variable was given
   * anywhere in the function, and so on through the locals those values name (loops can assign
   * after the yield, so order is not considered).
   */
  yieldsThroughLocals(): RefSink {
    const result: RefSink = { refs: [...this.inYield.refs], selfUses: [...this.inYield.selfUses], superCalls: [...this.inYield.superCalls] };
    const followed = new Set<string>();
    for (let i = 0; i < result.refs.length; i++) {
      const root = result.refs[i]!.parts[0]!;
      if (followed.has(root) || !this.locals.has(root) || this.globals.has(root)) continue;
      followed.add(root);
      const value = this.localValues.get(root);
      if (!value) continue;
      result.refs.push(...value.refs);
      result.selfUses.push(...value.selfUses);
      result.superCalls.push(...value.superCalls);
    }
    return result;
  }

  /** Names of the local variables an assignment target stores into: `x`, `a, b`, `x[k]`. */
  private storedNames(target: SyntaxNode): string[] {
    if (target.name === 'VariableName') return [this.facts.text(target)];
    if (['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression'].includes(target.name)) {
      const names: string[] = [];
      for (let child = target.firstChild; child; child = child.nextSibling) names.push(...this.storedNames(child));
      return names;
    }
    // `deps[key] = Task()`: an item stored into the local `deps`.
    if (target.name === 'MemberExpression' && target.firstChild?.name === 'VariableName' && target.getChild('[')) return [this.facts.text(target.firstChild)];
    return [];
  }

  private countBinding(name: string): void {
    this.bindings.set(name, (this.bindings.get(name) ?? 0) + 1);
  }

  /**
   * What a local variable stands for in a string expression: the value of its one binding
   * (`table = "Orders"`), else unknown. Names that are not locals are left to the module.
   */
  readonly localValue: LocalValue = (name) => {
    if (!this.locals.has(name) || this.globals.has(name)) return undefined;
    if (this.keepParameters && this.parameterNames.has(name) && !this.bindings.has(name)) return { k: 'name', parts: [name] };
    const value = this.assigned.get(name);
    if (!value || this.bindings.get(name) !== 1 || this.compiling.has(name)) return { k: 'unknown', text: name };
    this.compiling.add(name);
    try {
      return compileStringExpr(value, this.facts.nodeText, this.stringOptions());
    } finally {
      this.compiling.delete(name);
    }
  };

  private stringOptions(): { local: LocalValue; selfName?: string } {
    return this.selfName !== undefined ? { local: this.localValue, selfName: this.selfName } : { local: this.localValue };
  }

  /** Adds the names bound by an assignment target (a name, a tuple, a list) to the locals. */
  private bind(target: SyntaxNode): void {
    if (target.name === 'VariableName') {
      this.locals.add(this.facts.text(target));
      this.countBinding(this.facts.text(target));
      return;
    }
    if (['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression'].includes(target.name)) {
      for (let child = target.firstChild; child; child = child.nextSibling) this.bind(child);
      return;
    }
    // `self.x = ...`, `rows[0] = ...`: a use, not a binding.
    if (target.name === 'MemberExpression') this.visit(target, false);
  }

  private visit(node: SyntaxNode, called: boolean): void {
    if (++this.depth > MAX_NESTING) throw new NestingTooDeep();
    try {
      this.visitKind(node, called);
    } finally {
      this.depth--;
    }
  }

  private visitKind(node: SyntaxNode, called: boolean): void {
    switch (node.name) {
      case 'VariableName':
        this.record({ parts: [this.facts.text(node)], line: this.facts.line(node), called });
        return;
      case 'MemberExpression':
        this.member(node, called);
        return;
      case 'CallExpression': {
        const callee = node.firstChild;
        const args = node.getChild('ArgList');
        if (isFormatCall(node, this.facts.nodeText) && !insideStringExpression(node, this.facts.nodeText)) this.sqlText(node);
        if (callee && args) this.sqlCall(callee, node);
        if (callee) this.visit(callee, true);
        const container = callee && args ? this.containerAdd(callee) : undefined;
        if (args && container) this.visitAsValueOf([container], args);
        else if (args) this.children(args, true);
        if (callee && args) {
          this.mutationCall(callee, args);
          this.helperCall(callee, node);
          if (this.isSelfCloneOfOwnClass(callee, args)) this.recordSelf('selfUses', { name: '__class__', line: this.facts.line(node), called: true });
        }
        return;
      }
      case 'ArgList':
        this.children(node, true);
        return;
      case 'AssignStatement': {
        const value = node.lastChild;
        const stored: string[] = [];
        for (let child = node.firstChild; child && !(value && sameNode(child, value)); child = child.nextSibling) {
          if (child.name !== 'AssignOp' && child.name !== 'TypeDef') {
            this.bind(child);
            stored.push(...this.storedNames(child));
            if (child.name === 'VariableName' && value && value.name !== 'TypeDef') this.assigned.set(this.facts.text(child), value);
          }
        }
        if (value && value.name !== 'TypeDef') this.visitAsValueOf(stored, value);
        return;
      }
      case 'UpdateStatement': {
        // `deps += [Task()]`: more value for the local.
        const target = node.firstChild;
        const stored = target?.name === 'VariableName' ? [this.facts.text(target)] : [];
        if (target?.name === 'VariableName') {
          this.locals.add(this.facts.text(target));
          this.countBinding(this.facts.text(target)); // `t += "_v2"`: more than one value
          this.countBinding(this.facts.text(target));
        }
        for (let child = node.firstChild; child; child = child.nextSibling) {
          if (target && sameNode(child, target)) this.visit(child, false);
          else this.visitAsValueOf(stored, child);
        }
        return;
      }
      case 'NamedExpression': {
        const target = node.firstChild;
        if (target?.name === 'VariableName') {
          this.locals.add(this.facts.text(target));
          this.countBinding(this.facts.text(target));
          this.countBinding(this.facts.text(target)); // a walrus: its value is not followed
        }
        if (node.lastChild && !(target && sameNode(node.lastChild, target))) this.visit(node.lastChild, false);
        return;
      }
      case 'FunctionDefinition': {
        const name = node.getChild('VariableName');
        if (name) this.locals.add(this.facts.text(name));
        const params = node.getChild('ParamList');
        if (params) this.parameters(params);
        const body = node.getChild('Body');
        if (body) this.block(body);
        return;
      }
      case 'ClassDefinition': {
        const name = node.getChild('VariableName');
        if (name) this.locals.add(this.facts.text(name));
        const body = node.getChild('Body');
        if (body) this.block(body);
        return;
      }
      case 'LambdaExpression': {
        const params = node.getChild('ParamList');
        if (params) this.parameters(params);
        if (node.lastChild) this.visit(node.lastChild, false);
        return;
      }
      case 'ImportStatement':
        for (const binding of this.facts.importBindings(node)) {
          this.imports.push(binding);
        }
        return;
      case 'ScopeStatement':
        for (const name of node.getChildren('VariableName')) this.globals.add(this.facts.text(name));
        return;
      case 'CapturePattern': {
        const name = node.getChild('VariableName');
        if (name) this.locals.add(this.facts.text(name));
        return;
      }
      case 'KeywordPattern':
        if (node.lastChild) this.visit(node.lastChild, false);
        return;
      case 'YieldExpression':
      case 'YieldStatement':
        this.yieldDepth++;
        this.children(node);
        this.yieldDepth--;
        return;
      case 'ReturnStatement':
        if (this.collectReturns) {
          for (let value = node.firstChild; value; value = value.nextSibling) {
            if (value.name !== 'return' && value.name !== ',') this.returns.push(value);
          }
        }
        this.children(node);
        return;
      case 'String':
      case 'ContinuedString':
      case 'FormatString': {
        // A bare string statement (a docstring) runs nothing; "a " "b" is one string to Python.
        if (node.parent?.name === 'ExpressionStatement') return;
        if (!insideStringExpression(node, this.facts.nodeText)) this.sqlText(node);
        // The names in an f-string's fields are uses.
        if (node.name !== 'String') for (const field of descendants(node, 'FormatReplacement')) this.children(field);
        return;
      }
      case 'BinaryExpression': {
        const op = node.getChild('ArithOp');
        if (op && (this.facts.text(op) === '+' || this.facts.text(op) === '%') && !insideStringExpression(node, this.facts.nodeText)) this.sqlText(node);
        this.children(node);
        return;
      }
      case 'TypeDef':
      case 'Comment':
      case 'PropertyName':
        return;
      default:
        this.children(node);
    }
  }

  /**
   * Children in order; names after `for` (up to `in`) and after `as` are bindings. In an
   * argument list, `name=` only names a keyword and `name :=` binds a local.
   */
  private children(node: SyntaxNode, argumentList = false): void {
    let binding: 'for' | 'as' | undefined;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      const name = child.name;
      if (name === 'for') binding = 'for';
      else if (name === 'in' && binding === 'for') binding = undefined;
      else if (name === 'as') binding = 'as';
      else if (binding === 'for') this.bind(child);
      else if (binding === 'as') {
        this.bind(child);
        binding = undefined;
      } else if (argumentList && name === 'VariableName' && child.nextSibling?.name === 'AssignOp') {
        if (this.facts.text(child.nextSibling) === ':=') this.locals.add(this.facts.text(child));
      } else if (name !== 'AssignOp') this.visit(child, false);
    }
  }

  private member(node: SyntaxNode, called: boolean): void {
    const parts = this.facts.dotted(node);
    if (parts) {
      if (parts[0] === this.selfName && parts.length >= 2) {
        this.recordSelf('selfUses', { name: parts[1]!, line: this.facts.line(node), called: called && parts.length === 2 });
      } else this.record({ parts, line: this.facts.line(node), called });
      return;
    }
    const object = node.firstChild;
    const property = node.lastChild;
    if (object?.name === 'CallExpression' && property?.name === 'PropertyName') {
      const callee = object.firstChild;
      if (callee?.name === 'VariableName' && this.facts.text(callee) === 'super') {
        // super(C, self) names the class itself: not a dependency.
        this.recordSelf('superCalls', { name: this.facts.text(property), line: this.facts.line(node), called });
        return;
      }
    }
    for (let child = node.firstChild; child; child = child.nextSibling) this.visit(child, false);
  }

  /**
   * The tables of a string expression that may be SQL: a literal is read at once; an f-string,
   * `.format`, `%` or `+` of names is kept as a SqlRef, read once the graph resolves its names.
   */
  private sqlText(node: SyntaxNode): void {
    const runs = this.sqlArgument && this.sqlArgument.from === node.from && this.sqlArgument.to === node.to ? this.sqlArgument.runs : undefined;
    const expr = compileStringExpr(node, this.facts.nodeText, this.stringOptions());
    const line = this.facts.line(node);
    if (expr.k === 'lit') {
      const access = sqlTableAccess(expr.v);
      for (const table of access.writes) this.writes.push({ table, line });
      for (const table of access.reads) this.reads.push({ table, line });
      return;
    }
    if (!runs && !SQL_WORD.test(literalTexts(expr).join(' '))) return;
    this.sql.push({ expr, line, ...(runs ? { runs } : {}) });
  }

  /**
   * `snapshot.execute_sql(sql)`, `transaction.execute_update(dml)`: the SQL argument counts as a
   * query or DML even when nothing of it is known (a name whose value is not found).
   */
  private sqlCall(callee: SyntaxNode, call: SyntaxNode): void {
    const parts = this.facts.dotted(callee);
    const method = parts && parts.length >= 2 ? parts[parts.length - 1]! : undefined;
    const runs = method && QUERY_METHODS.has(method) ? 'query' : method && DML_METHODS.has(method) ? 'dml' : undefined;
    if (!runs) return;
    const args = callParts(call, this.facts.nodeText);
    let arg = args && (args.keywords.get(runs === 'query' ? 'sql' : 'dml') ?? args.keywords.get('statements') ?? args.positional[0]);
    while (arg?.name === 'ParenthesizedExpression' && arg.firstChild?.nextSibling && arg.firstChild.nextSibling === arg.lastChild?.prevSibling) arg = arg.firstChild.nextSibling;
    if (!arg || ['ArrayExpression', 'TupleExpression', 'ListComprehensionExpression'].includes(arg.name)) return;
    // `execute_update(self.build_query())`: the method's own strings are read where they are written.
    const argCallee = arg.name === 'CallExpression' ? arg.firstChild && this.facts.dotted(arg.firstChild) : undefined;
    if (argCallee && argCallee.length === 2 && argCallee[0] === this.selfName) return;
    if (STRING_NODES.has(arg.name) || arg.name === 'BinaryExpression' || isFormatCall(arg, this.facts.nodeText)) {
      this.sqlArgument = { from: arg.from, to: arg.to, runs };
      return;
    }
    this.sql.push({ expr: compileStringExpr(arg, this.facts.nodeText, this.stringOptions()), line: this.facts.line(arg), runs });
  }

  /** The local variable a call adds to (`deps.append(x)`, `deps.extend(xs)`, `seen.add(x)`), if any. */
  private containerAdd(callee: SyntaxNode): string | undefined {
    if (callee.name !== 'MemberExpression') return undefined;
    const object = callee.firstChild;
    const property = callee.lastChild;
    if (object?.name !== 'VariableName' || property?.name !== 'PropertyName') return undefined;
    if (!CONTAINER_ADDS.has(this.facts.text(property))) return undefined;
    const name = this.facts.text(object);
    return this.locals.has(name) ? name : undefined;
  }

  /** `self.clone()` / `self.clone(p=1)`: the task's own class (Luigi's clone(cls=None, **kwargs)). */
  private isSelfCloneOfOwnClass(callee: SyntaxNode, args: SyntaxNode): boolean {
    const parts = this.facts.dotted(callee);
    if (!parts || parts.length !== 2 || parts[0] !== this.selfName || parts[1] !== 'clone') return false;
    const positional: ArgumentRef[] = [];
    const keywords: Array<{ name: string; value: ArgumentRef }> = [];
    this.facts.callArguments(args, positional, keywords);
    return positional.length === 0 && !keywords.some((k) => k.name === 'cls');
  }

  /**
   * A call that may pass a table name or SQL to a function: `f(txn, "Orders")`, `mod.f(TABLE)`,
   * or `x.run_in_transaction(f, self.table)` (f gets the transaction first). Which callees are
   * module-level functions is known once the module is read (FactsBuilder.finish).
   */
  private helperCall(callee: SyntaxNode, call: SyntaxNode): void {
    const parts = callParts(call, this.facts.nodeText);
    if (!parts) return;
    let name = this.facts.dotted(callee);
    let positional = parts.positional;
    let offset = 0;
    if (name && name.length >= 2 && name[name.length - 1] === 'run_in_transaction') {
      const fn = positional[0];
      name = fn && (fn.name === 'VariableName' || fn.name === 'MemberExpression') ? this.facts.dotted(fn) : null;
      positional = positional.slice(1);
      offset = 1; // the transaction
    }
    if (!name || name[0] === this.selfName || (this.locals.has(name[0]!) && !this.globals.has(name[0]!))) return;
    const args: Array<StringExpr | null> = Array.from({ length: offset }, () => null);
    let kept = 0;
    for (const arg of positional) {
      const expr = this.helperArgument(arg);
      args.push(expr);
      if (expr) kept++;
    }
    const kwargs: Record<string, StringExpr> = {};
    for (const [keyword, arg] of parts.keywords) {
      const expr = this.helperArgument(arg);
      if (expr) {
        kwargs[keyword] = expr;
        kept++;
      }
    }
    if (kept === 0) return;
    while (args.length > 0 && args[args.length - 1] === null) args.pop();
    this.helperCalls.push({ callee: name, args, ...(Object.keys(kwargs).length > 0 ? { kwargs } : {}), line: this.facts.line(call) });
  }

  /** An argument that may be a table name or SQL: an identifier or SQL literal, a constant, `self.x`, an f-string. */
  private helperArgument(arg: SyntaxNode): StringExpr | null {
    if (!['String', 'FormatString', 'ContinuedString', 'VariableName', 'MemberExpression', 'BinaryExpression', 'CallExpression'].includes(arg.name)) return null;
    if (arg.name === 'CallExpression' && !isFormatCall(arg, this.facts.nodeText)) return null;
    const expr = compileStringExpr(arg, this.facts.nodeText, this.stringOptions());
    switch (expr.k) {
      case 'lit':
        return /^[A-Za-z_][A-Za-z0-9_]*$/.test(expr.v) || SQL_WORD.test(expr.v) ? expr : null;
      case 'name':
        // A parameter or a local bound more than once is nothing the caller can know.
        return this.locals.has(expr.parts[0]!) && !this.globals.has(expr.parts[0]!) ? null : expr;
      case 'unknown':
        return null;
      default:
        return expr;
    }
  }

  /**
   * `batch.insert("Orders", columns, values)`, `Mutation.delete("Orders", keyset)` and friends
   * write; `snapshot.read("Orders", columns, keyset)` (also `table=`, `columns=`, `keyset=`) reads.
   * The argument counts keep `list.insert(0, x)`, `dict.update(d)` and `file.read()` out.
   */
  private mutationCall(callee: SyntaxNode, argList: SyntaxNode): void {
    const parts = this.facts.dotted(callee);
    const method = parts && parts.length >= 2 ? parts[parts.length - 1]! : undefined;
    const reads = method !== undefined && READ_METHODS.has(method);
    if (!method || (!MUTATION_METHODS.has(method) && !reads)) return;
    // `self.update(db, table, key)`: a method of the task itself, not a batch.
    if (parts?.length === 2 && parts[0] === this.selfName) return;
    const args: ArgumentRef[] = [];
    const keywordArgs: Array<{ name: string; value: ArgumentRef }> = [];
    this.facts.callArguments(argList, args, keywordArgs);
    const keywords = new Set(keywordArgs.map((k) => k.name));
    const enough = reads
      ? args.length + keywords.size >= 3 && (args.length >= 3 || keywords.has('keyset') || keywords.has('columns'))
      : method === 'delete'
        ? args.length >= 2 || keywords.has('keyset')
        : args.length >= 3 || keywords.has('columns');
    if (!enough) return;
    const call = argList.parent && callParts(argList.parent, this.facts.nodeText);
    const tableArg = call && (call.keywords.get('table') ?? call.positional[0]);
    const table = tableArg && this.facts.tableRef(tableArg, this.stringOptions());
    if (table) (reads ? this.reads : this.writes).push(table);
  }
}
