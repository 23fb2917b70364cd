// GraphJson + what the user chose to see -> the nodes and edges to lay out and draw.
// Scope (a file's tasks with everything up- and downstream, or the workspace), focus (a task's
// lineage to a depth), family groups (many instances of one task class shown as one node) and
// collapsed modules (a module shown as one node). Deterministic: same input, same output order.
import { tableLineage, tableNodeId } from '../analysis/lineage';
import type { GraphJson, GraphTable, TaskNode } from '../analysis/types';
import type { FocusState, GraphScope } from '../../shared/protocol';
import { fitLabel, LABEL_FONT_SIZE, NODE_MAX_WIDTH, nodeBox, textWidth } from './geometry';
import { isTableFocus, tableFocusTasks } from './tableFocus';
import type { VisibleEdge, VisibleGraph, VisibleNode } from './types';

export interface ViewOptions {
  scope: GraphScope;
  collapsedModules?: ReadonlySet<string>;
  expandedFamilies?: ReadonlySet<string>;
  focus?: FocusState | null;
  /** Show the Spanner tables the shown tasks write and read, as nodes between them. */
  tables?: boolean;
}

export interface GraphIndex {
  tasks: Map<string, TaskNode>;
  /** Task id -> ids of the tasks it requires. */
  upstream: Map<string, string[]>;
  /** Task id -> ids of the tasks requiring it. */
  downstream: Map<string, string[]>;
  /** Edges whose ends are both known tasks. */
  edges: GraphJson['edges'];
  modules: string[];
  /** The graph's tables (its `tables` section, else derived from the tasks without migrations). */
  tables: GraphTable[];
  /** Table node id -> table. */
  tableById: Map<string, GraphTable>;
  /** Task id -> the name drawn: the class name, with the shortest module suffix that tells
   * it apart when classes of that name live in several modules ("Bar · a.tasks"). */
  labels: Map<string, string>;
}

export function indexGraph(graph: GraphJson): GraphIndex {
  const tasks = new Map<string, TaskNode>();
  for (const task of graph.tasks) tasks.set(task.id, task);
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  const edges: GraphJson['edges'] = [];
  for (const edge of graph.edges) {
    // An edge to a task outside the graph (unresolved import) has nothing to attach to.
    if (!tasks.has(edge.from) || !tasks.has(edge.to)) continue;
    edges.push(edge);
    push(upstream, edge.to, edge.from);
    push(downstream, edge.from, edge.to);
  }
  const modules = [...new Set(graph.tasks.map((t) => t.module))].sort();
  const tables = graph.tables ?? tableLineage(graph.tasks);
  const tableById = new Map(tables.map((t) => [tableNodeId(t.name), t]));
  return { tasks, upstream, downstream, edges, modules, tables, tableById, labels: taskLabels(graph.tasks) };
}

/** Separates a task's name from the module suffix that disambiguates it. */
export const MODULE_SUFFIX_SEPARATOR = ' · ';

/**
 * Display names: a class name shared by classes in different modules (Bar in three modules,
 * WordCount in two) carries the shortest dotted suffix of its module that no other module
 * with a class of that name ends with, so each can be told apart on the graph and in search.
 */
export function taskLabels(tasks: readonly Pick<TaskNode, 'id' | 'name' | 'module'>[]): Map<string, string> {
  const modulesByName = new Map<string, Set<string>>();
  for (const task of tasks) {
    const set = modulesByName.get(task.name);
    if (set) set.add(task.module);
    else modulesByName.set(task.name, new Set([task.module]));
  }
  const suffixes = new Map<string, Map<string, string>>();
  for (const [name, modules] of modulesByName) {
    if (modules.size > 1) suffixes.set(name, shortestDistinctSuffixes([...modules]));
  }
  const labels = new Map<string, string>();
  for (const task of tasks) {
    const suffix = suffixes.get(task.name)?.get(task.module);
    labels.set(task.id, suffix === undefined ? task.name : `${task.name}${MODULE_SUFFIX_SEPARATOR}${suffix}`);
  }
  return labels;
}

/** Module -> its shortest dotted suffix that differs from every other module's suffix of the same length. */
export function shortestDistinctSuffixes(modules: readonly string[]): Map<string, string> {
  const parts = modules.map((m) => m.split('.'));
  const suffix = (p: string[], n: number) => p.slice(Math.max(0, p.length - n)).join('.');
  const result = new Map<string, string>();
  parts.forEach((p, i) => {
    let n = 1;
    while (n < p.length && parts.some((q, j) => j !== i && suffix(q, n) === suffix(p, n))) n++;
    result.set(modules[i]!, suffix(p, n));
  });
  return result;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Ids reachable from `start` along `next`, `start` included; `depth` 0 means unlimited. */
export function reachable(start: Iterable<string>, next: Map<string, string[]>, depth = 0): Set<string> {
  const seen = new Set<string>(start);
  let frontier = [...seen];
  for (let level = 1; frontier.length > 0 && (depth === 0 || level <= depth); level++) {
    const nextFrontier: string[] = [];
    for (const id of frontier) {
      for (const other of next.get(id) ?? []) {
        if (seen.has(other)) continue;
        seen.add(other);
        nextFrontier.push(other);
      }
    }
    frontier = nextFrontier;
  }
  return seen;
}

/** Task ids the scope and focus let through. Focus wins over scope: it follows the whole lineage. */
export function selectTasks(index: GraphIndex, options: Pick<ViewOptions, 'scope' | 'focus'>): Set<string> {
  const focus = options.focus;
  if (focus && isTableFocus(index, focus)) return tableFocusTasks(index, focus, reachable);
  if (focus && index.tasks.has(focus.taskId)) {
    const up = focus.direction !== 'downstream' ? reachable([focus.taskId], index.upstream, focus.depth) : new Set<string>();
    const down = focus.direction !== 'upstream' ? reachable([focus.taskId], index.downstream, focus.depth) : new Set<string>();
    return new Set([focus.taskId, ...up, ...down]);
  }
  if (options.scope.kind === 'workspace') return new Set(index.tasks.keys());
  const file = options.scope.file;
  const seeds = [...index.tasks.values()].filter((t) => t.file === file).map((t) => t.id);
  return new Set([...reachable(seeds, index.upstream), ...reachable(seeds, index.downstream)]);
}

export const familyKey = (task: Pick<TaskNode, 'module' | 'name'>): string => `${task.module}.${task.name}`;
export const familyNodeId = (family: string): string => `family:${family}`;
export const moduleNodeId = (module: string): string => `module:${module}`;

/** A long dotted module keeps its tail, the part that tells modules apart. */
function moduleLabel(module: string): string {
  const max = NODE_MAX_WIDTH - 40;
  if (textWidth(module, LABEL_FONT_SIZE) <= max) return module;
  const reversed = fitLabel([...module].reverse().join(''), LABEL_FONT_SIZE, max);
  return [...reversed].reverse().join('');
}

/** 12345 -> "12,345". Not toLocaleString: its first call loads ICU data for ~0.2 s. */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const plural = (n: number, word: string): string => `${thousands(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * Table nodes for the tables the shown tasks touch (a table with no shown writer or reader is not
 * drawn), with writer -> table and table -> reader edges to the nodes the tasks are drawn as.
 */
function addTables(index: GraphIndex, nodeOf: ReadonlyMap<string, string>, nodes: Map<string, VisibleNode>, edges: Map<string, VisibleEdge>): void {
  for (const table of index.tables) {
    const id = tableNodeId(table.name);
    const members: string[] = [];
    const link = (task: string, kind: 'writes' | 'reads') => {
      const other = nodeOf.get(task);
      if (other === undefined) return;
      if (!members.includes(task)) members.push(task);
      const [from, to] = kind === 'writes' ? [other, id] : [id, other];
      const edgeId = `${from}->${to}`;
      const existing = edges.get(edgeId);
      if (existing) existing.count++;
      else edges.set(edgeId, { id: edgeId, from, to, kind, count: 1 });
    };
    for (const task of table.writers) link(task, 'writes');
    for (const task of table.readers) link(task, 'reads');
    if (members.length === 0) continue;
    const box = nodeBox(table.name);
    nodes.set(id, { id, kind: 'table', taskKind: 'task', label: box.label, width: box.width, height: box.height, members, module: '' });
  }
}

export function buildVisibleGraph(index: GraphIndex, options: ViewOptions): VisibleGraph {
  const steps = visibleGraphSteps(index, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `buildVisibleGraph` with a pause between its steps (the webview yields to its event loop there:
 * at 3,000 tasks the whole took 40-80 ms of its UI thread on first run, each step 10-25 ms).
 */
export async function buildVisibleGraphPaced(index: GraphIndex, options: ViewOptions, pause: () => Promise<void>): Promise<VisibleGraph> {
  const steps = visibleGraphSteps(index, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** The steps of `buildVisibleGraph`; each `yield` is a point where a UI thread may pause. */
function* visibleGraphSteps(index: GraphIndex, options: ViewOptions): Generator<void, VisibleGraph> {
  const selected = selectTasks(index, options);
  const collapsed = options.collapsedModules ?? new Set<string>();
  const expanded = options.expandedFamilies ?? new Set<string>();

  const familyMembers = new Map<string, string[]>();
  for (const id of selected) {
    const task = index.tasks.get(id)!;
    if (collapsed.has(task.module)) continue;
    push(familyMembers, familyKey(task), id);
  }

  // Which visible node each selected task is drawn as.
  const nodeOf = new Map<string, string>();
  const nodes = new Map<string, VisibleNode>();
  const addMember = (nodeId: string, create: () => VisibleNode, taskId: string) => {
    nodeOf.set(taskId, nodeId);
    const existing = nodes.get(nodeId);
    if (existing) existing.members.push(taskId);
    else nodes.set(nodeId, create());
  };
  for (const id of [...selected].sort()) {
    const task = index.tasks.get(id)!;
    if (collapsed.has(task.module)) {
      addMember(moduleNodeId(task.module), () => ({ id: moduleNodeId(task.module), kind: 'module', taskKind: 'task', label: moduleLabel(task.module), width: 0, height: 0, members: [id], module: task.module }), id);
      continue;
    }
    const family = familyKey(task);
    if ((familyMembers.get(family)?.length ?? 0) > 1 && !expanded.has(family)) {
      addMember(familyNodeId(family), () => ({ id: familyNodeId(family), kind: 'family', taskKind: task.kind, label: index.labels.get(id) ?? task.name, width: 0, height: 0, members: [id], module: task.module }), id);
      continue;
    }
    addMember(id, () => ({ id, kind: task.kind, taskKind: task.kind, label: index.labels.get(id) ?? task.name, width: 0, height: 0, members: [id], module: task.module }), id);
  }
  yield;
  for (const node of nodes.values()) {
    const detail = node.kind === 'module' ? plural(node.members.length, 'task') : node.kind === 'family' ? plural(node.members.length, 'instance') : undefined;
    const box = nodeBox(node.label, detail);
    node.label = box.label;
    node.width = box.width;
    node.height = box.height;
    if (box.detail !== undefined) node.detail = box.detail;
  }

  yield;
  const edges = new Map<string, VisibleEdge>();
  for (const edge of index.edges) {
    const from = nodeOf.get(edge.from);
    const to = nodeOf.get(edge.to);
    // Edges inside a group vanish with it; a task requiring itself (recursion over its
    // parameters) stays, drawn as a loop.
    if (from === undefined || to === undefined || (from === to && edge.from !== edge.to)) continue;
    const id = `${from}->${to}`;
    const existing = edges.get(id);
    if (existing) {
      existing.count++;
      if (edge.kind === 'requires') existing.kind = 'requires';
    } else {
      edges.set(id, { id, from, to, kind: edge.kind, count: 1 });
    }
  }
  if (options.tables) addTables(index, nodeOf, nodes, edges);
  yield;
  const sortedNodes = [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Edges in node order, compared by rank: sorting the long "from->to" strings took ~10 ms
  // at 3,000 tasks (ids share long module prefixes).
  const rank = new Map(sortedNodes.map((n, i) => [n.id, i]));
  const sortedEdges = [...edges.values()]
    .map((edge) => ({ edge, from: rank.get(edge.from)!, to: rank.get(edge.to)! }))
    .sort((a, b) => a.from - b.from || a.to - b.to)
    .map((e) => e.edge);
  return { nodes: sortedNodes, edges: sortedEdges };
}
