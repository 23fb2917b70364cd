// From per-file facts to the pipeline graph: which classes are tasks, what each requires
// (statically and dynamically), its parameters, outputs and tables, plus diagnostics for
// what could not be resolved and for dependency cycles.
import { INHERITS_DECORATORS, libraryTask, REQUIRES_DECORATORS, isLibraryParameterClass, type LibraryTask } from './known-classes';
import type { ClassFacts, CodeRefs, DecoratorFacts, DottedRef, ImportBinding, MethodFacts, ModuleFacts, TableRef } from './module-facts';
import { moduleNameOf, Resolver, type ModuleTable } from './resolver';
import type { EdgeKind, GraphDiagnostic, GraphJson, Severity, TaskEdge, TaskKind, TaskNode, TaskOutput, TaskParam } from './types';

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

/** Depth limit when following module-level variables and helper functions from requires(). */
const VALUE_DEPTH = 4;

export class GraphBuilder {
  readonly resolver: Resolver;
  private readonly classInfos = new Map<string, ClassInfo>();
  private readonly classesInProgress = new Set<string>();
  private readonly paramMemo = new Map<string, TaskParam[]>();
  private readonly diagnostics = new Map<string, GraphDiagnostic>();

  constructor(
    private readonly modules: ModuleTable,
    private readonly files: readonly string[],
  ) {
    this.resolver = new Resolver(modules);
  }

  static taskId(file: string, className: string): string {
    const module = moduleNameOf(file);
    return module ? `${module}.${className}` : className;
  }

  build(fileDiagnostics: readonly GraphDiagnostic[] = []): GraphJson {
    const tasks: TaskNode[] = [];
    const edges = new Map<string, TaskEdge>();
    for (const diagnostic of fileDiagnostics) this.report(diagnostic);
    for (const file of this.files) {
      const facts = this.modules.facts(file)!;
      for (const error of facts.syntaxErrors) {
        this.report({ file, line: error.line, column: error.column, severity: 'error', message: error.message, code: 'syntax-error' });
      }
      this.checkImports(file, facts);
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
    }
    const edgeList = [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind));
    this.reportCycles(tasks, edgeList);
    const diagnostics = [...this.diagnostics.values()].sort(
      (a, b) => compare(a.file, b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || compare(a.message, b.message),
    );
    return { tasks, edges: edgeList, diagnostics };
  }

  private report(diagnostic: GraphDiagnostic): void {
    this.diagnostics.set(`${diagnostic.file}\0${diagnostic.line}\0${diagnostic.message}`, diagnostic);
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
    const cached = this.classInfos.get(key);
    if (cached) return cached;
    if (this.classesInProgress.has(key)) {
      this.warn(file, cls.line, `${cls.name} inherits from itself through its base classes`, 'inheritance-cycle', 'error');
      return { mro: [{ file, cls }], externals: [] };
    }
    this.classesInProgress.add(key);
    const mro: MroEntry[] = [{ file, cls }];
    const externals: string[] = [];
    let task: ClassInfo['task'];
    for (const base of cls.bases) {
      if (!base.parts) continue;
      const resolved = this.resolver.resolve(file, base.parts);
      if (resolved.kind === 'class') {
        const inherited = this.classInfo(resolved.file, resolved.cls);
        for (const entry of inherited.mro) {
          if (!mro.some((m) => m.file === entry.file && m.cls === entry.cls)) mro.push(entry);
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
    this.classesInProgress.delete(key);
    const info: ClassInfo = { mro, externals, ...(task ? { task } : {}) };
    this.classInfos.set(key, info);
    return info;
  }

  /** A class that looks like a task (requires/run/output) but derives from nothing Luigi. */
  private explainNonTask(file: string, cls: ClassFacts, info: ClassInfo): void {
    const looksLikeTask = cls.methods.some((m) => m.name === 'requires' || m.name === 'run' || m.name === 'output');
    const outside = info.externals.filter((name) => name !== 'object' && !name.startsWith('luigi.'));
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
    const outputs = this.outputs(info);
    const tables = new Set<string>();
    for (const output of outputs) for (const table of output.tables ?? []) tables.add(table);
    for (const entry of info.mro) {
      for (const write of entry.cls.writes) {
        const table = this.tableName(write, info);
        if (table) tables.add(table);
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
    if (cls.doc) node.doc = cls.doc;
    return node;
  }

  /** A table reference as a name: literals as written, `self.x` through the class attributes. */
  private tableName(ref: TableRef, info: ClassInfo): string | undefined {
    if (ref.table) return ref.table;
    if (!ref.selfAttribute) return undefined;
    for (const entry of info.mro) {
      const attribute = entry.cls.attributes.find((a) => a.name === ref.selfAttribute);
      if (attribute) return attribute.stringValue;
    }
    return undefined;
  }

  private outputs(info: ClassInfo): TaskOutput[] {
    for (const entry of info.mro) {
      if (!entry.cls.outputs) continue;
      return entry.cls.outputs.map((o) => {
        const output: TaskOutput = { target: o.target, source: o.source };
        const tables = o.tables.map((t) => this.tableName(t, info)).filter((t): t is string => !!t);
        if (tables.length > 0) output.tables = tables;
        return output;
      });
    }
    const library = info.task?.library?.output;
    if (!library) return [];
    const output: TaskOutput = { target: library.target, source: library.source };
    const table = library.tableAttribute && this.tableName({ selfAttribute: library.tableAttribute, line: 0 }, info);
    if (table) output.tables = [table];
    return [output];
  }

  /** Parameters, bases first; parameters copied by @inherits/@requires fill in what is missing. */
  private params(file: string, cls: ClassFacts): TaskParam[] {
    const key = `${file}#${cls.name}`;
    const cached = this.paramMemo.get(key);
    if (cached) return cached;
    this.paramMemo.set(key, []); // a decorator cycle ends here
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
    const result = [...params.values()];
    this.paramMemo.set(key, result);
    return result;
  }

  private isParameterClass(file: string, callee: string[] | null, calleeText: string): boolean {
    if (!callee) return false;
    const resolved = this.resolver.resolve(file, callee);
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
          const r = this.resolver.resolve(f, base.parts);
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

  private reportCycles(tasks: TaskNode[], edges: TaskEdge[]): void {
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (const component of stronglyConnected(tasks.map((t) => t.id), edges)) {
      const selfLoop = component.length === 1 && edges.some((e) => e.from === component[0] && e.to === component[0]);
      if (component.length === 1 && !selfLoop) continue;
      if (selfLoop) {
        const task = byId.get(component[0]!)!;
        this.warn(task.file, task.line, `${task.name} requires itself: make sure the recursion over its parameters ends`, 'self-dependency', 'info');
        continue;
      }
      // Walk the edges backwards to read the cycle as "A requires B requires C requires A".
      const cycle = findCycle(component, edges.map((e) => ({ ...e, from: e.to, to: e.from })));
      const names = cycle.map((id) => byId.get(id)!.name);
      const message = `Dependency cycle: ${[...names, names[0]].join(' → ')} (each requires the next)`;
      for (const id of component) {
        const task = byId.get(id)!;
        this.warn(task.file, task.line, message, 'dependency-cycle');
      }
    }
  }
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
    for (const use of code.selfUses) this.selfUse(use.name);
    for (const call of code.superCalls) {
      if (call.name === 'requires') this.requiresFrom(index + 1);
      else if (call.name === 'run' && this.kind === 'dynamic') this.runFrom(index + 1);
      else this.methodNamed(call.name, index + 1);
    }
  }

  /** `self.name`: clone_parent(s) from @inherits/@requires, a helper method, or a class attribute. */
  private selfUse(name: string): void {
    const mro = this.info.mro;
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

/** Tarjan's strongly connected components, iterative (pipelines can be deep). */
function stronglyConnected(ids: string[], edges: TaskEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const list = next.get(edge.from);
    if (list) list.push(edge.to);
    else next.set(edge.from, [edge.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; child: number }> = [{ id: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.id) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ id: child, child: 0 });
        } else if (onStack.has(child)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        components.push(component);
      }
    }
  }
  return components;
}

/** One concrete cycle through a strongly connected component, starting at its smallest id. */
function findCycle(component: string[], edges: TaskEdge[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (members.has(edge.from) && members.has(edge.to)) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to].sort());
  }
  // Breadth-first from start back to start gives the shortest cycle through it.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const child of next.get(current) ?? []) {
      if (child === start) {
        const path = [current];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(child)) {
        previous.set(child, current);
        queue.push(child);
      }
    }
  }
  return [start];
}
