// From per-file facts to the pipeline graph: which classes are tasks, what each requires
// (statically and dynamically), its parameters, outputs and tables, plus diagnostics for
// what could not be resolved and for dependency cycles.
import { EffectTracker, Memo } from './effects';
import { STDLIB_MODULES } from '../python/stdlib-modules';
import { INHERITS_DECORATORS, libraryTask, REQUIRES_DECORATORS, isLibraryParameterClass, isLuigiOwnModule, type LibraryTask } from './known-classes';
import type { ClassFacts, CodeRefs, DecoratorFacts, DottedRef, ImportBinding, MethodFacts, ModuleFacts, SqlRef, TableRef } from './module-facts';
import { moduleNameOf, Resolver, type ModuleTable, type Resolution } from './resolver';
import { holes, TableNames, type StringScope } from './table-names';
import type { EdgeKind, GraphDiagnostic, GraphJson, Severity, TaskEdge, TaskKind, TaskNode, TaskOutput, TaskParam, UnresolvedTableRef } from './types';
import { knownText, type StringValue } from '../python/string-expr';
import { sqlTemplateAccess } from '../sqlTables';

/** A workspace class in a method resolution order. */
interface MroEntry {
  file: string;
  cls: ClassFacts;
}

interface ClassInfo {
  mro: MroEntry[];
  /** Base classes from outside the workspace, nearest first. */
  externals: string[];
  task?: { kind: TaskKind; library?: LibraryTask };
}

/** How many levels of base classes are followed (Python has no limit; real code stays far below). */
const MAX_INHERITANCE_DEPTH = 1000;

/** Depth limit when following module-level variables and helper functions from requires(). */
const VALUE_DEPTH = 4;

/** What one file contributes to the graph, and every index key its computation read. */
export interface FileResult {
  tasks: TaskNode[];
  edges: TaskEdge[];
  diagnostics: GraphDiagnostic[];
  reads: Set<string>;
}

/** The key a folder's existence is recorded under (file keys never end with '/'). */
export const folderKey = (folder: string) => `${folder}/`;

/**
 * Computes per-file graph results against one state of the index. Build a new one after any
 * change; results of files whose reads did not change stay valid (see WorkspaceIndex).
 */
export class GraphBuilder {
  readonly resolver: Resolver;
  private readonly tracker = new EffectTracker();
  private readonly modules: ModuleTable;
  private readonly classInfos: Memo<ClassInfo>;
  private readonly classesInProgress = new Set<string>();
  private readonly paramMemo: Memo<TaskParam[]>;
  private readonly paramsInProgress = new Set<string>();
  private readonly parameterClassMemo: Memo<boolean>;
  /** Table names and SQL texts that are not literals (the lint asks the same resolver). */
  readonly tableNames: TableNames;

  constructor(modules: ModuleTable) {
    const tracker = this.tracker;
    this.modules = {
      facts: (file) => {
        tracker.read(file);
        return modules.facts(file);
      },
      hasFolder: (folder) => {
        tracker.read(folderKey(folder));
        return modules.hasFolder(folder);
      },
    };
    this.resolver = new Resolver(this.modules, tracker);
    this.classInfos = new Memo(tracker);
    this.paramMemo = new Memo(tracker);
    this.parameterClassMemo = new Memo(tracker);
    this.tableNames = new TableNames({
      resolver: this.resolver,
      mro: (file, cls) => this.classInfo(file, cls).mro,
      isParameter: (file, callee, calleeText) => this.isParameterClass(file, callee, calleeText),
    });
  }

  static taskId(file: string, className: string): string {
    const module = moduleNameOf(file);
    return module ? `${module}.${className}` : className;
  }

  /** The tasks, edges and diagnostics of one file. */
  fileResult(file: string): FileResult {
    const { value, effects } = this.tracker.run(() => {
      const tasks: TaskNode[] = [];
      const edges = new Map<string, TaskEdge>();
      const facts = this.modules.facts(file);
      if (!facts) return { tasks, edges: [] };
      for (const error of facts.syntaxErrors) {
        this.report({ file, line: error.line, column: error.column, severity: 'error', message: error.message, code: 'syntax-error' });
      }
      this.checkImports(file, facts);
      // Luigi's own modules are the library, as if installed: their classes are bases the
      // pipelines derive from, not tasks of the graph.
      if (isLuigiOwnModule(moduleNameOf(file))) return { tasks, edges: [] };
      for (const cls of facts.classes) {
        const info = this.classInfo(file, cls);
        if (!info.task) {
          this.explainNonTask(file, cls, info);
          continue;
        }
        const node = this.taskNode(file, cls, info);
        tasks.push(node);
        for (const [upstream, kind] of this.dependencies(info)) {
          edges.set(`${upstream}\0${node.id}\0${kind}`, { from: upstream, to: node.id, kind });
        }
      }
      const edgeList = [...edges.values()].sort((a, b) => compare(a.to, b.to) || compare(a.from, b.from) || compare(a.kind, b.kind));
      return { tasks, edges: edgeList };
    });
    return { ...value, diagnostics: uniqueDiagnostics(effects.diagnostics), reads: effects.reads };
  }

  private report(diagnostic: GraphDiagnostic): void {
    this.tracker.report(diagnostic);
  }

  private warn(file: string, line: number, message: string, code: string, severity: Severity = 'warning'): void {
    this.report({ file, line, severity, message, code });
  }

  /** Imports that point into the workspace but find nothing there. */
  private checkImports(file: string, facts: ModuleFacts): void {
    for (const binding of facts.imports) {
      const resolved = this.resolver.resolveImport(file, binding);
      if (resolved.kind === 'unresolved') this.warn(file, binding.line, resolved.message, 'unresolved-import');
    }
  }

  /** Is `cls` a task, of which kind, and which workspace classes does it inherit from. */
  classInfo(file: string, cls: ClassFacts): ClassInfo {
    const key = `${file}#${cls.name}`;
    if (this.classesInProgress.has(key)) {
      this.warn(file, cls.line, `${cls.name} inherits from itself through its base classes`, 'inheritance-cycle', 'error');
      return { mro: [{ file, cls }], externals: [] };
    }
    // Classes in progress are the inheritance chain being followed: bounded, so that a generated
    // chain of thousands of classes is reported instead of exhausting the stack.
    if (this.classesInProgress.size >= MAX_INHERITANCE_DEPTH) {
      this.warn(file, cls.line, `${cls.name}: more than ${MAX_INHERITANCE_DEPTH} levels of base classes, not followed further`, 'inheritance-too-deep');
      return { mro: [{ file, cls }], externals: [] };
    }
    return this.classInfos.get(file, cls.name, () => {
      this.classesInProgress.add(key);
      try {
        return this.computeClassInfo(file, cls);
      } finally {
        this.classesInProgress.delete(key);
      }
    });
  }

  private computeClassInfo(file: string, cls: ClassFacts): ClassInfo {
    const mro: MroEntry[] = [{ file, cls }];
    // Membership by set: a linear search per entry made long chains cubic.
    const inMro = new Set<ClassFacts>([cls]);
    const externals: string[] = [];
    let task: ClassInfo['task'];
    for (const base of cls.bases) {
      if (!base.parts) continue;
      const resolved = this.libraryClass(this.resolver.resolveBase(file, cls, base.parts));
      if (resolved.kind === 'class') {
        const inherited = this.classInfo(resolved.file, resolved.cls);
        for (const entry of inherited.mro) {
          if (inMro.has(entry.cls)) continue;
          inMro.add(entry.cls);
          mro.push(entry);
        }
        for (const name of inherited.externals) if (!externals.includes(name)) externals.push(name);
        task ??= inherited.task;
      } else if (resolved.kind === 'external') {
        if (!externals.includes(resolved.qualifiedName)) externals.push(resolved.qualifiedName);
        const library = libraryTask(resolved.qualifiedName);
        if (library) task ??= { kind: library.kind, library };
      } else if (resolved.kind === 'unresolved') {
        this.warn(file, base.line, `Base class ${base.text} of ${cls.name}: ${resolved.message}`, 'unresolved-base');
      }
    }
    return { mro, externals, ...(task ? { task } : {}) };
  }

  /** A class that looks like a task (requires/run/output) but derives from nothing Luigi. */
  private explainNonTask(file: string, cls: ClassFacts, info: ClassInfo): void {
    const looksLikeTask = cls.methods.some((m) => m.name === 'requires' || m.name === 'run' || m.name === 'output');
    // Only bases that could be Luigi's: not Luigi itself, not the standard library (a
    // unittest.TestCase with run() is no task that went missing).
    const outside = info.externals.filter((name) => name !== 'object' && !name.startsWith('luigi.') && !STDLIB_MODULES.has(name.split('.')[0]!));
    if (looksLikeTask && outside.length > 0) {
      this.warn(
        file,
        cls.line,
        `${cls.name} is not shown as a task: its base ${outside[0]} is outside the analysed files, so it cannot be traced to luigi.Task`,
        'unknown-base',
        'info',
      );
    }
  }

  private taskNode(file: string, cls: ClassFacts, info: ClassInfo): TaskNode {
    const fromDefaults = new Set<string>();
    const unresolved: UnresolvedTableRef[] = [];
    const outputs = this.outputs(info, fromDefaults, unresolved);
    const tables = new Set<string>();
    for (const output of outputs) for (const table of output.tables ?? []) tables.add(table);
    const reads = new Set<string>();
    /** The writes, reads and SQL of a method body or of a helper function, read in `scope`. */
    const collect = (found: { writes?: TableRef[]; reads?: TableRef[]; sql?: SqlRef[] }, scope: StringScope) => {
      const name = (ref: TableRef, access: 'write' | 'read') => {
        const table = this.tableName(ref, scope, fromDefaults, unresolved, access);
        if (table) (access === 'write' ? tables : reads).add(table);
      };
      for (const write of found.writes ?? []) name(write, 'write');
      for (const read of found.reads ?? []) name(read, 'read');
      for (const sql of found.sql ?? []) {
        const value = this.tableNames.value(sql.expr, scope);
        const access = sqlTemplateAccess(value.segments);
        for (const table of access.writes) tables.add(table);
        for (const table of access.reads) reads.add(table);
        if (value.fromDefault) for (const table of [...access.writes, ...access.reads]) fromDefaults.add(table);
        const expression = holes(value);
        for (let i = 0; i < access.unresolvedWrites; i++) unresolved.push({ access: 'write', file: scope.file, line: sql.line, expression });
        for (let i = 0; i < access.unresolvedReads; i++) unresolved.push({ access: 'read', file: scope.file, line: sql.line, expression });
        // A query or DML call whose text is not known at all: its tables are not either.
        const total = access.writes.length + access.reads.length + access.unresolvedWrites + access.unresolvedReads;
        if (total === 0 && sql.runs && knownText(value) === undefined) unresolved.push({ access: sql.runs === 'dml' ? 'write' : 'read', file: scope.file, line: sql.line, expression });
      }
    };
    for (const entry of info.mro) {
      const scope: StringScope = { file: entry.file, mro: info.mro };
      collect(entry.cls, scope);
      // Module-level helpers the methods call (one level deep), their parameters bound to the arguments.
      for (const call of entry.cls.helperCalls ?? []) {
        const helper = this.resolver.resolve(entry.file, call.callee);
        if (helper.kind !== 'value' || helper.value.kind !== 'function' || !helper.value.params) continue;
        const params = new Map<string, StringValue | undefined>();
        helper.value.params.forEach((param, i) => {
          const arg = call.args[i] ?? call.kwargs?.[param];
          params.set(param, arg ? this.tableNames.value(arg, scope) : undefined);
        });
        collect(helper.value, { file: helper.file, params });
      }
    }
    const node: TaskNode = {
      id: GraphBuilder.taskId(file, cls.name),
      name: cls.name,
      kind: info.task!.kind,
      file,
      line: cls.line,
      endLine: cls.endLine,
      params: this.params(file, cls),
      outputs,
      module: moduleNameOf(file),
    };
    if (tables.size > 0) node.tables = [...tables].sort();
    if (reads.size > 0) node.tableReads = [...reads].sort();
    if (fromDefaults.size > 0) node.tablesFromDefaults = [...fromDefaults].sort();
    if (unresolved.length > 0) node.unresolvedTables = unresolved.sort((a, b) => compare(a.file, b.file) || a.line - b.line || compare(a.access, b.access));
    if (cls.doc) node.doc = cls.doc;
    return node;
  }

  /**
   * A table reference as a name: literals as written, anything else through the one resolver
   * (table-names.ts) on the task's class. An unresolved one is recorded, not guessed.
   */
  private tableName(ref: TableRef, scope: StringScope, fromDefaults: Set<string>, unresolved: UnresolvedTableRef[], access: 'write' | 'read'): string | undefined {
    if (ref.table) return ref.table;
    if (!ref.expr) return undefined;
    const name = this.tableNames.tableName(ref.expr, scope);
    if ('unresolved' in name) {
      unresolved.push({ access, file: scope.file, line: ref.line, expression: name.unresolved });
      return undefined;
    }
    if (name.fromDefault) fromDefaults.add(name.name);
    return name.name;
  }

  private outputs(info: ClassInfo, fromDefaults: Set<string>, unresolved: UnresolvedTableRef[]): TaskOutput[] {
    for (const entry of info.mro) {
      if (!entry.cls.outputs) continue;
      return entry.cls.outputs.map((o) => {
        const output: TaskOutput = { target: o.target, source: o.source };
        const tables = o.tables.map((t) => this.tableName(t, { file: entry.file, mro: info.mro }, fromDefaults, unresolved, 'write')).filter((t): t is string => !!t);
        if (tables.length > 0) output.tables = tables;
        return output;
      });
    }
    const library = info.task?.library?.output;
    if (!library) return [];
    const output: TaskOutput = { target: library.target, source: library.source };
    // A library task's table attribute (luigi's `table`): a task that does not set it names no table, and that is not an unresolved write.
    const table = library.tableAttribute && this.tableName({ expr: { k: 'self', attr: library.tableAttribute }, line: 0 }, { file: info.mro[0]!.file, mro: info.mro }, fromDefaults, [], 'write');
    if (table) output.tables = [table];
    return [output];
  }

  /** Parameters, bases first; parameters copied by @inherits/@requires fill in what is missing. */
  private params(file: string, cls: ClassFacts): TaskParam[] {
    const key = `${file}#${cls.name}`;
    if (this.paramsInProgress.has(key)) return []; // a decorator cycle ends here
    return this.paramMemo.get(file, cls.name, () => {
      this.paramsInProgress.add(key);
      try {
        return this.computeParams(file, cls);
      } finally {
        this.paramsInProgress.delete(key);
      }
    });
  }

  private computeParams(file: string, cls: ClassFacts): TaskParam[] {
    const info = this.classInfo(file, cls);
    const id = GraphBuilder.taskId(file, cls.name);
    const params = new Map<string, TaskParam>();
    for (const entry of [...info.mro].reverse()) {
      const declaredIn = GraphBuilder.taskId(entry.file, entry.cls.name);
      for (const attribute of entry.cls.attributes) {
        if (!attribute.call || !this.isParameterClass(entry.file, attribute.call.callee, attribute.call.calleeText)) {
          params.delete(attribute.name); // a plain value overrides an inherited parameter
          continue;
        }
        const param: TaskParam = { name: attribute.name, type: attribute.call.calleeText, significant: attribute.call.significant };
        if (attribute.call.defaultText !== undefined) param.default = attribute.call.defaultText;
        if (declaredIn !== id) param.declaredIn = declaredIn;
        params.delete(attribute.name);
        params.set(attribute.name, param);
      }
    }
    for (const entry of info.mro) {
      for (const decorator of this.decorators(entry, INHERITS_DECORATORS)) {
        for (const upstream of this.decoratorTasks(entry.file, decorator, 'all')) {
          for (const inherited of this.params(upstream.file, upstream.cls)) {
            if (params.has(inherited.name)) continue;
            params.set(inherited.name, { ...inherited, declaredIn: inherited.declaredIn ?? GraphBuilder.taskId(upstream.file, upstream.cls.name) });
          }
        }
      }
    }
    return [...params.values()];
  }

  /**
   * A workspace that holds Luigi's own source (its repository, a vendored copy) resolves
   * `luigi.Task` to a plain class in luigi/task.py, whose chain ends at `object`: Luigi's classes
   * are known by their qualified name, exactly as when Luigi is installed (so `luigi.Config` and
   * its sections are no tasks, and `luigi.contrib...JobTask` is the library base it is).
   */
  private libraryClass(resolved: Resolution): Resolution {
    if (resolved.kind !== 'class') return resolved;
    const module = moduleNameOf(resolved.file);
    return isLuigiOwnModule(module) ? { kind: 'external', qualifiedName: `${module}.${resolved.cls.name}` } : resolved;
  }

  private isParameterClass(file: string, callee: string[] | null, calleeText: string): boolean {
    if (!callee) return false;
    return this.parameterClassMemo.get(file, calleeText, () => this.computeIsParameterClass(file, callee, calleeText));
  }

  private computeIsParameterClass(file: string, callee: string[], calleeText: string): boolean {
    const resolved = this.libraryClass(this.resolver.resolve(file, callee));
    if (resolved.kind === 'external') return isLibraryParameterClass(resolved.qualifiedName) || /Parameter$/.test(resolved.qualifiedName);
    if (resolved.kind === 'class') {
      // A custom parameter class: follow its bases to a Luigi parameter.
      const seen = new Set<ClassFacts>();
      const pending: MroEntry[] = [{ file: resolved.file, cls: resolved.cls }];
      while (pending.length > 0) {
        const { file: f, cls } = pending.pop()!;
        if (seen.has(cls)) continue;
        seen.add(cls);
        for (const base of cls.bases) {
          if (!base.parts) continue;
          const r = this.libraryClass(this.resolver.resolveBase(f, cls, base.parts));
          if (r.kind === 'external' && (isLibraryParameterClass(r.qualifiedName) || /Parameter$/.test(r.qualifiedName))) return true;
          if (r.kind === 'class') pending.push({ file: r.file, cls: r.cls });
        }
      }
      return false;
    }
    return resolved.kind === 'unresolved' && /Parameter$/.test(calleeText);
  }

  private decorators(entry: MroEntry, names: ReadonlySet<string>): DecoratorFacts[] {
    return entry.cls.decorators.filter((decorator) => {
      const resolved = this.resolver.resolve(entry.file, decorator.parts);
      return resolved.kind === 'external' && names.has(resolved.qualifiedName);
    });
  }

  /** The task classes a luigi.util decorator names (all, or only the first for clone_parent()). */
  private decoratorTasks(file: string, decorator: DecoratorFacts, which: 'first' | 'all'): MroEntry[] {
    const args = [...decorator.args, ...decorator.keywordArgs.map((k) => k.value)];
    const result: MroEntry[] = [];
    for (const arg of which === 'first' ? args.slice(0, 1) : args) {
      if (!arg.parts) continue;
      const resolved = this.resolver.resolve(file, arg.parts);
      if (resolved.kind === 'class' && this.classInfo(resolved.file, resolved.cls).task) result.push({ file: resolved.file, cls: resolved.cls });
      else if (resolved.kind === 'unresolved') this.warn(file, arg.line, resolved.message, 'unresolved-reference');
    }
    return result;
  }

  /** Upstream task ids with the kind of edge: requires() (any form) and `yield` in run(). */
  private dependencies(info: ClassInfo): Array<[string, EdgeKind]> {
    const result: Array<[string, EdgeKind]> = [];
    const requires = new DependencyWalk(this, info, 'requires');
    requires.requiresFrom(0);
    for (const id of requires.found) result.push([id, 'requires']);
    const dynamic = new DependencyWalk(this, info, 'dynamic');
    dynamic.runFrom(0);
    for (const id of dynamic.found) result.push([id, 'dynamic']);
    return result;
  }

  /** Called by DependencyWalk. */
  decoratedRequires(entry: MroEntry): DecoratorFacts | undefined {
    return this.decorators(entry, REQUIRES_DECORATORS)[0];
  }

  inheritsDecorator(entry: MroEntry): DecoratorFacts | undefined {
    return this.decorators(entry, INHERITS_DECORATORS)[0];
  }

  tasksOfDecorator(entry: MroEntry, decorator: DecoratorFacts, which: 'first' | 'all'): string[] {
    return this.decoratorTasks(entry.file, decorator, which).map((t) => GraphBuilder.taskId(t.file, t.cls.name));
  }

  /** Follows one reference written in `file`; returns the task ids it leads to. */
  tasksOfReference(file: string, ref: DottedRef, imports: readonly ImportBinding[], seenValues: Set<string>, depth = 0): string[] {
    const resolved = this.resolver.resolve(file, ref.parts, imports);
    switch (resolved.kind) {
      case 'class':
        return this.classInfo(resolved.file, resolved.cls).task ? [GraphBuilder.taskId(resolved.file, resolved.cls.name)] : [];
      case 'value': {
        const key = `${resolved.file}#${resolved.value.name}`;
        if (depth >= VALUE_DEPTH || seenValues.has(key)) return [];
        seenValues.add(key);
        return resolved.value.refs.flatMap((inner) => this.tasksOfReference(resolved.file, inner, [], seenValues, depth + 1));
      }
      case 'external': {
        const last = ref.parts[ref.parts.length - 1]!;
        const name = resolved.qualifiedName;
        if (ref.called && /^[A-Z]/.test(last) && !name.startsWith('luigi.') && !libraryTask(name)) {
          this.warn(
            file,
            ref.line,
            `${ref.parts.join('.')} comes from ${name.slice(0, name.lastIndexOf('.')) || name}, outside the analysed files: if it is a task, its edge is not shown`,
            'external-reference',
            'info',
          );
        }
        return [];
      }
      case 'unresolved': {
        // A name bound by a broken import is reported once, at the import.
        const root = ref.parts[0];
        const imported = [...imports, ...(this.modules.facts(file)?.imports ?? [])].some((b) => b.local === root);
        if (!imported) this.warn(file, ref.line, resolved.message, 'unresolved-reference');
        return [];
      }
      default:
        return [];
    }
  }
}

/** Dependency cycles (and tasks requiring themselves) as diagnostics on each member task. */
function cycleDiagnostics(tasks: readonly TaskNode[], edges: readonly TaskEdge[]): GraphDiagnostic[] {
  const diagnostics: GraphDiagnostic[] = [];
  const graph = new IndexedGraph(tasks, edges);
  for (const component of graph.stronglyConnected()) {
    if (component.length === 1) {
      const only = component[0]!;
      if (graph.hasSelfLoop(only)) {
        const task = tasks[only]!;
        diagnostics.push({
          file: task.file,
          line: task.line,
          severity: 'info',
          message: `${task.name} requires itself: make sure the recursion over its parameters ends`,
          code: 'self-dependency',
        });
      }
      continue;
    }
    const names = graph.cycleThrough(component).map((i) => tasks[i]!.name);
    const message = `Dependency cycle: ${[...names, names[0]].join(' → ')} (each requires the next)`;
    for (const i of component) {
      const task = tasks[i]!;
      diagnostics.push({ file: task.file, line: task.line, severity: 'warning', message, code: 'dependency-cycle' });
    }
  }
  return diagnostics;
}

/** The graph from per-file results (in file order) plus diagnostics about whole files. */
export function assembleGraph(results: readonly FileResult[], fileDiagnostics: readonly GraphDiagnostic[]): GraphJson {
  const tasks: TaskNode[] = [];
  const edges: TaskEdge[] = [];
  const collected: GraphDiagnostic[] = [...fileDiagnostics];
  for (const result of results) {
    for (const task of result.tasks) tasks.push(task);
    for (const edge of result.edges) edges.push(edge);
    for (const diagnostic of result.diagnostics) collected.push(diagnostic);
  }
  for (const diagnostic of cycleDiagnostics(tasks, edges)) collected.push(diagnostic);
  const diagnostics = uniqueDiagnostics(collected);
  diagnostics.sort((a, b) => compare(a.file, b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || compare(a.message, b.message));
  return { tasks, edges, diagnostics };
}

function uniqueDiagnostics(diagnostics: readonly GraphDiagnostic[]): GraphDiagnostic[] {
  const seen = new Map<string, GraphDiagnostic>();
  for (const d of diagnostics) seen.set(`${d.file}\0${d.line}\0${d.message}`, d);
  return [...seen.values()];
}

/** Collects the tasks one task depends on, following self.x(), super() and helpers. */
class DependencyWalk {
  readonly found = new Set<string>();
  private readonly visitedMethods = new Set<string>();
  private readonly seenValues = new Set<string>();

  constructor(
    private readonly builder: GraphBuilder,
    private readonly info: ClassInfo,
    private readonly kind: EdgeKind,
  ) {}

  /** requires() as seen from MRO position `start` (0 for the task, later for super()). */
  requiresFrom(start: number): void {
    const mro = this.info.mro;
    for (let i = start; i < mro.length; i++) {
      const entry = mro[i]!;
      const decorator = this.builder.decoratedRequires(entry);
      if (decorator) {
        for (const id of this.builder.tasksOfDecorator(entry, decorator, 'all')) this.found.add(id);
        return;
      }
      const method = findMethod(entry.cls, 'requires');
      if (method) {
        this.method(i, method, method.body);
        return;
      }
    }
  }

  /** The yields of run() as seen from MRO position `start`. */
  runFrom(start: number): void {
    const mro = this.info.mro;
    for (let i = start; i < mro.length; i++) {
      const method = findMethod(mro[i]!.cls, 'run');
      if (method) {
        this.method(i, method, method.yields);
        return;
      }
    }
  }

  private method(index: number, method: MethodFacts, code: CodeRefs): void {
    const entry = this.info.mro[index]!;
    const key = `${index}#${method.name}#${code === method.yields ? 'yields' : 'body'}`;
    if (this.visitedMethods.has(key)) return;
    this.visitedMethods.add(key);
    for (const ref of code.refs) {
      for (const id of this.builder.tasksOfReference(entry.file, ref, method.imports, this.seenValues)) this.found.add(id);
    }
    for (const use of code.selfUses) this.selfUse(use.name, use.called);
    for (const call of code.superCalls) {
      if (call.name === 'requires') this.requiresFrom(index + 1);
      else if (call.name === 'run' && this.kind === 'dynamic') this.runFrom(index + 1);
      else this.methodNamed(call.name, index + 1);
    }
  }

  /**
   * `self.name`: clone_parent(s) from @inherits/@requires, a helper method, or a class attribute;
   * `self.__class__(...)` (also `self.clone()` without a class) is the task itself: recursion.
   */
  private selfUse(name: string, called: boolean): void {
    const mro = this.info.mro;
    if (name === '__class__') {
      if (called) this.found.add(GraphBuilder.taskId(mro[0]!.file, mro[0]!.cls.name));
      return;
    }
    if (name === 'clone_parent' || name === 'clone_parents') {
      for (const entry of mro) {
        const decorator = this.builder.inheritsDecorator(entry);
        if (!decorator) continue;
        for (const id of this.builder.tasksOfDecorator(entry, decorator, name === 'clone_parent' ? 'first' : 'all')) this.found.add(id);
        return;
      }
      return;
    }
    if (name === 'requires' && this.kind === 'requires') return;
    this.methodNamed(name, 0);
  }

  private methodNamed(name: string, start: number): void {
    const mro = this.info.mro;
    for (let i = start; i < mro.length; i++) {
      const entry = mro[i]!;
      const method = findMethod(entry.cls, name);
      if (method) {
        this.method(i, method, method.body);
        return;
      }
      const attribute = entry.cls.attributes.find((a) => a.name === name);
      if (attribute) {
        if (attribute.call) return; // a parameter or a computed value: not a task class
        for (const ref of attribute.refs) {
          for (const id of this.builder.tasksOfReference(entry.file, ref, [], this.seenValues)) this.found.add(id);
        }
        return;
      }
    }
  }
}

function findMethod(cls: ClassFacts, name: string): MethodFacts | undefined {
  return cls.methods.find((m) => m.name === name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The task graph with tasks as array indices, edges pointing from a task to what it requires
 * (the reading direction of a cycle message: "A requires B").
 */
class IndexedGraph {
  private readonly requires: number[][];
  private readonly selfLoops = new Set<number>();

  constructor(tasks: readonly TaskNode[], edges: readonly TaskEdge[]) {
    const index = new Map<string, number>();
    tasks.forEach((task, i) => index.set(task.id, i));
    this.requires = tasks.map(() => []);
    for (const edge of edges) {
      const from = index.get(edge.to);
      const to = index.get(edge.from);
      if (from === undefined || to === undefined) continue;
      if (from === to) this.selfLoops.add(from);
      else this.requires[from]!.push(to);
    }
  }

  hasSelfLoop(task: number): boolean {
    return this.selfLoops.has(task);
  }

  /** Tarjan's strongly connected components, iterative (pipelines can be deep). */
  stronglyConnected(): number[][] {
    const count = this.requires.length;
    const order = new Int32Array(count).fill(-1);
    const low = new Int32Array(count);
    const onStack = new Uint8Array(count);
    const stack: number[] = [];
    const components: number[][] = [];
    let counter = 0;
    for (let root = 0; root < count; root++) {
      if (order[root] !== -1) continue;
      const work: Array<[node: number, child: number]> = [[root, 0]];
      order[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const [node] = frame;
        const children = this.requires[node]!;
        if (frame[1] < children.length) {
          const child = children[frame[1]++]!;
          if (order[child] === -1) {
            order[child] = low[child] = counter++;
            stack.push(child);
            onStack[child] = 1;
            work.push([child, 0]);
          } else if (onStack[child]) low[node] = Math.min(low[node]!, order[child]!);
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[node]!);
        if (low[node] === order[node]) {
          const component: number[] = [];
          let member: number;
          do {
            member = stack.pop()!;
            onStack[member] = 0;
            component.push(member);
          } while (member !== node);
          components.push(component);
        }
      }
    }
    return components;
  }

  /** The shortest cycle through the component's first task (breadth-first, inside the component). */
  cycleThrough(component: readonly number[]): number[] {
    const members = new Set(component);
    const start = component.reduce((a, b) => Math.min(a, b)); // (a spread overflows on huge components)
    const previous = new Map<number, number>();
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      const current = queue[head]!;
      for (const next of this.requires[current]!) {
        if (!members.has(next)) continue;
        if (next === start) {
          const path = [current];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return path;
        }
        if (!previous.has(next)) {
          previous.set(next, current);
          queue.push(next);
        }
      }
    }
    return [start];
  }
}
