// The hover card: a task's parameters, outputs, Spanner tables, docstring, diagnostics and
// run state; for a group, what it holds. Shown after a short rest on a node.
import type { GraphTable, TaskNode } from '../../extension/core/analysis/types';
import type { Rect } from '../../extension/core/graphLayout/types';
import { STATE_PRECEDENCE } from '../../extension/core/graphLayout/svg';
import { h } from './dom';
import type { GraphView } from './view';

const HOVER_DELAY_MS = 250;
const MAX_LISTED = 12;

export class Tooltip {
  readonly element: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private shownFor: string | undefined;

  constructor(
    private readonly view: GraphView,
    private readonly area: HTMLElement,
  ) {
    this.element = h('div', { className: 'tooltip hidden', role: 'tooltip', id: 'graph-tooltip' });
    area.addEventListener('pointermove', (e) => this.move(e));
    area.addEventListener('pointerleave', () => this.hide());
    area.addEventListener('pointerdown', () => this.hide());
    area.addEventListener('wheel', () => this.hide(), { passive: true });
  }

  private move(e: PointerEvent): void {
    if (e.buttons !== 0) return;
    const id = this.view.scene.nodeAt(e.clientX, e.clientY);
    if (id === this.shownFor && id !== undefined) return;
    this.hide();
    if (!id) return;
    const { clientX, clientY } = e;
    this.timer = setTimeout(() => this.show(id, clientX, clientY), HOVER_DELAY_MS);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.shownFor = undefined;
    this.element.classList.add('hidden');
  }

  private show(id: string, x: number, y: number): void {
    const info = this.view.nodeInfo(id);
    if (!info) return;
    const { node, decoration } = info;
    const parts: (Node | null)[] = [];
    const table = node.kind === 'table' ? this.view.tableOf(node.id) : undefined;
    if (table) {
      parts.push(...describeTable(table, (id) => this.view.labelOf(id)));
    } else if (node.members.length === 1) {
      const task = this.view.taskOf(node.members[0]!);
      if (task) parts.push(...describeTask(task, this.view.labelOf(task.id)));
    } else {
      parts.push(
        h('div', { className: 'title' }, node.kind === 'module' ? node.module : node.label),
        h('div', { className: 'meta' }, node.kind === 'module' ? `module · ${node.members.length} tasks (double-click to expand)` : `${node.members.length} instances of ${node.module}.${node.label} (double-click to expand)`),
      );
      const names = node.members.slice(0, MAX_LISTED).map((m) => h('li', {}, node.kind === 'family' ? m : this.view.labelOf(m)));
      parts.push(h('ul', {}, ...names, node.members.length > MAX_LISTED ? h('li', {}, `… ${node.members.length - MAX_LISTED} more`) : null));
    }
    if (decoration?.state) {
      const counts = decoration.counts;
      const text = counts
        ? STATE_PRECEDENCE.filter((s) => counts[s])
            .map((s) => `${counts[s]} ${s}`)
            .join(' · ')
        : decoration.state;
      parts.push(h('div', { className: `run s-${decoration.state}` }, `Run: ${text}`));
    }
    const d = decoration?.diagnostics;
    if (d) {
      const text = [d.error && `${d.error} error${d.error === 1 ? '' : 's'}`, d.warning && `${d.warning} warning${d.warning === 1 ? '' : 's'}`, d.info && `${d.info} info`].filter(Boolean).join(' · ');
      parts.push(h('div', { className: 'diagnostics' }, `Problems: ${text}`));
    }
    this.element.replaceChildren(...parts.filter((p): p is Node => p !== null));
    this.element.style.left = '0px';
    this.element.style.top = '0px';
    this.element.classList.remove('hidden');
    const area = this.area.getBoundingClientRect();
    const card = this.element.getBoundingClientRect();
    const nodeRect = this.view.scene.screenRect(id) ?? { x: x - area.left, y: y - area.top, width: 1, height: 1 };
    const at = placeCard({ width: card.width, height: card.height }, nodeRect, { width: area.width, height: area.height }, (r) => this.view.scene.screenRectsIn(r));
    this.element.style.left = `${at.x}px`;
    this.element.style.top = `${at.y}px`;
    this.shownFor = id;
  }
}

function describeTable(table: GraphTable, nameOf: (taskId: string) => string): Node[] {
  const parts: Node[] = [
    h('div', { className: 'title' }, table.name),
    h('div', { className: 'meta' }, table.migration ? `Spanner table · ${table.migration.file}:${table.migration.line} (click to open)` : 'Spanner table · no CREATE TABLE in the migrations'),
  ];
  if (table.fromDefault) parts.push(h('div', { className: 'meta' }, "Named by a luigi Parameter's default: a run may pass another table"));
  if (table.columns?.length) {
    const key = new Set((table.primaryKey ?? []).map((k) => k.toLowerCase()));
    parts.push(
      h('div', { className: 'section' }, 'Columns'),
      h(
        'table',
        {},
        ...table.columns.slice(0, MAX_LISTED * 2).map((c) => h('tr', {}, h('td', { className: 'name' }, c.name), h('td', {}, c.type), h('td', { className: 'default' }, key.has(c.name.toLowerCase()) ? 'key' : ''))),
      ),
      table.columns.length > MAX_LISTED * 2 ? h('div', { className: 'meta' }, `… ${table.columns.length - MAX_LISTED * 2} more columns`) : h('span'),
    );
  }
  if (table.primaryKey?.length) parts.push(h('div', { className: 'section' }, 'Primary key'), h('div', { className: 'tables' }, table.primaryKey.join(', ')));
  const list = (title: string, ids: readonly string[]) => {
    if (!ids.length) return;
    parts.push(
      h('div', { className: 'section' }, title),
      h('ul', {}, ...ids.slice(0, MAX_LISTED).map((id) => h('li', {}, nameOf(id))), ids.length > MAX_LISTED ? h('li', {}, `… ${ids.length - MAX_LISTED} more`) : null),
    );
  };
  list('Written by', table.writers);
  list('Read by', table.readers);
  return parts;
}

const GAP = 8;
const MARGIN = 4;

/**
 * Where the card goes: beside the node it describes (right, left, below, above), inside the
 * panel, never over that node when there is room, and over as few neighbours as possible.
 */
export function placeCard(card: { width: number; height: number }, node: Rect, area: { width: number; height: number }, nodesIn: (r: Rect) => Rect[]): { x: number; y: number } {
  const clampX = (v: number) => Math.max(MARGIN, Math.min(v, area.width - card.width - MARGIN));
  const clampY = (v: number) => Math.max(MARGIN, Math.min(v, area.height - card.height - MARGIN));
  const candidates = [
    { x: node.x + node.width + GAP, y: node.y },
    { x: node.x - GAP - card.width, y: node.y },
    { x: node.x, y: node.y + node.height + GAP },
    { x: node.x, y: node.y - GAP - card.height },
  ].map((p) => ({ x: clampX(p.x), y: clampY(p.y) }));
  let best = candidates[0]!;
  let bestScore = Infinity;
  for (const p of candidates) {
    const rect = { x: p.x, y: p.y, width: card.width, height: card.height };
    // Covering the described node is worse than covering any number of neighbours.
    let score = overlap(rect, node) > 0 ? 1e12 : 0;
    for (const other of nodesIn(rect)) score += overlap(rect, other);
    if (score < bestScore) {
      bestScore = score;
      best = p;
    }
  }
  return best;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function describeTask(task: TaskNode, label: string): Node[] {
  const parts: Node[] = [
    h('div', { className: 'title' }, label),
    h('div', { className: 'meta' }, `${task.kind} · ${task.module} · ${task.file}:${task.line}`),
  ];
  if (task.doc) parts.push(h('div', { className: 'doc' }, task.doc));
  if (task.params.length) {
    parts.push(
      h('div', { className: 'section' }, 'Parameters'),
      h(
        'table',
        {},
        ...task.params.slice(0, MAX_LISTED).map((p) =>
          h('tr', {}, h('td', { className: 'name' }, p.name), h('td', {}, p.type), h('td', { className: 'default' }, p.default === undefined ? 'required' : `= ${p.default}`), h('td', {}, p.significant ? '' : 'insignificant')),
        ),
      ),
    );
  }
  if (task.outputs.length) {
    parts.push(h('div', { className: 'section' }, 'Outputs'), h('ul', {}, ...task.outputs.slice(0, MAX_LISTED).map((o) => h('li', {}, h('code', {}, o.source)))));
  }
  const tables = [...new Set([...(task.tables ?? []), ...task.outputs.flatMap((o) => o.tables ?? [])])];
  if (tables.length) parts.push(h('div', { className: 'section' }, 'Spanner tables'), h('div', { className: 'tables' }, tables.join(', ')));
  if (task.tableReads?.length) parts.push(h('div', { className: 'section' }, 'Reads tables'), h('div', { className: 'tables' }, task.tableReads.join(', ')));
  // Writes and reads whose table is not known without running the code: not drawn, but said.
  const unresolved = task.unresolvedTables ?? [];
  if (unresolved.length) {
    parts.push(
      h('div', { className: 'section' }, 'Table names not known statically'),
      h('ul', {}, ...unresolved.slice(0, MAX_LISTED).map((u) => h('li', {}, `${u.access} ${u.expression} (line ${u.line})`)), unresolved.length > MAX_LISTED ? h('li', {}, `… ${unresolved.length - MAX_LISTED} more`) : null),
    );
  }
  if (tables.length) parts.push(h('div', { className: 'hint' }, 'Select and press P (or right-click) to preview the rows it wrote in the last run'));
  return parts;
}
