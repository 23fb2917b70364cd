// The toolbar above the graph: scope, search, focus, grouping, direction, zoom and export.
// Plain DOM; `sync()` brings every control in line with the view's state.
import { LAYOUT_DIRECTIONS, type FocusDirection, type LayoutDirection } from '../../extension/shared/protocol';
import { h } from './dom';
import type { GraphView } from './view';

const DIRECTION_LABELS: Record<LayoutDirection, string> = { RIGHT: 'Left to right', DOWN: 'Top to bottom', LEFT: 'Right to left', UP: 'Bottom to top' };

export class Toolbar {
  readonly element: HTMLElement;
  private readonly scopeButton: HTMLButtonElement;
  private readonly search: HTMLInputElement;
  private readonly searchCount: HTMLElement;
  private readonly focusSelect: HTMLSelectElement;
  private readonly depthInput: HTMLInputElement;
  private readonly groupButton: HTMLButtonElement;
  private readonly direction: HTMLSelectElement;
  private readonly tablesSelect: HTMLSelectElement;
  private readonly modulesButton: HTMLButtonElement;
  private readonly modulesPanel: HTMLElement;

  constructor(private readonly view: GraphView) {
    this.scopeButton = h('button', { type: 'button', className: 'scope', title: 'Show the current file (with its up- and downstream) or the whole workspace (T)' });
    this.scopeButton.addEventListener('click', () => view.setScope(view.state.scope.kind === 'file' ? 'workspace' : 'file'));

    this.search = h('input', { type: 'search', className: 'search', placeholder: 'Search tasks, modules, tables', 'aria-label': 'Search tasks', spellcheck: 'false' });
    this.searchCount = h('span', { className: 'count', 'aria-live': 'polite' });
    this.search.addEventListener('input', () => {
      view.setSearch(this.search.value);
      this.sync();
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') view.nextMatch();
      if (e.key === 'Escape') {
        this.search.value = '';
        view.setSearch('');
        this.sync();
      }
    });

    this.focusSelect = h(
      'select',
      { className: 'focus', 'aria-label': 'Focus on the selected task', title: 'Show only the lineage of the selected task' },
      h('option', { value: 'off' }, 'No focus'),
      h('option', { value: 'upstream' }, 'Upstream'),
      h('option', { value: 'downstream' }, 'Downstream'),
      h('option', { value: 'both' }, 'Up- and downstream'),
    );
    this.depthInput = h('input', { type: 'number', className: 'depth', min: 0, max: 50, value: 0, 'aria-label': 'Focus depth (0: all levels)', title: 'Levels to follow (0: all)' });
    const applyFocus = () => view.setFocus(this.focusSelect.value as FocusDirection | 'off', Math.max(0, Math.min(50, Number(this.depthInput.value) || 0)));
    this.focusSelect.addEventListener('change', applyFocus);
    this.depthInput.addEventListener('change', applyFocus);

    this.groupButton = h('button', { type: 'button', className: 'group' });
    this.groupButton.addEventListener('click', () => {
      const node = view.selectedNode();
      if (!node) return;
      if (node.kind === 'module' || node.kind === 'family') view.expand(node.id);
      else view.toggleModule(node.module, true);
    });

    this.modulesPanel = h('div', { className: 'modules-panel hidden', role: 'dialog', 'aria-label': 'Modules' });
    this.modulesButton = h('button', { type: 'button', className: 'modules', 'aria-haspopup': 'dialog', title: 'Collapse or expand modules' }, 'Modules');
    this.modulesButton.addEventListener('click', () => this.toggleModulesPanel());

    this.direction = h('select', { className: 'direction', 'aria-label': 'Layout direction' }, ...LAYOUT_DIRECTIONS.map((d) => h('option', { value: d }, DIRECTION_LABELS[d])));
    this.direction.addEventListener('change', () => view.setDirection(this.direction.value as LayoutDirection));

    this.tablesSelect = h(
      'select',
      { className: 'tables-mode', 'aria-label': 'Spanner tables', title: 'Draw the Spanner tables between the tasks that write and read them' },
      h('option', { value: 'tasks' }, 'Tasks only'),
      h('option', { value: 'tables' }, 'Tasks + tables'),
    );
    this.tablesSelect.addEventListener('change', () => view.setTables(this.tablesSelect.value === 'tables'));

    const button = (label: string, title: string, run: () => void, className = '') => {
      const b = h('button', { type: 'button', title, 'aria-label': title, className }, label);
      b.addEventListener('click', run);
      return b;
    };
    this.element = h(
      'div',
      { className: 'toolbar', role: 'toolbar', 'aria-label': 'Graph' },
      this.scopeButton,
      h('span', { className: 'search-box' }, this.search, this.searchCount),
      this.focusSelect,
      this.depthInput,
      this.groupButton,
      h('span', { className: 'modules-anchor' }, this.modulesButton, this.modulesPanel),
      this.direction,
      this.tablesSelect,
      h('span', { className: 'spacer' }),
      button('−', 'Zoom out (-)', () => view.viewport.zoomBy(1 / 1.25)),
      button('+', 'Zoom in (+)', () => view.viewport.zoomBy(1.25)),
      button('Fit', 'Fit the graph (0)', () => view.command('fit')),
      button('Re-layout', 'Lay out afresh, forgetting where components were', () => view.command('relayout')),
      button('SVG', 'Export as SVG', () => view.command('exportSvg')),
      button('PNG', 'Export as PNG', () => view.command('exportPng')),
    );
    document.addEventListener('pointerdown', (e) => {
      if (!this.modulesPanel.classList.contains('hidden') && !(e.target instanceof Node && this.modulesPanel.parentElement!.contains(e.target))) this.modulesPanel.classList.add('hidden');
    });
  }

  focusSearch(): void {
    this.search.focus();
    this.search.select();
  }

  sync(): void {
    const state = this.view.state;
    const file = state.scope.kind === 'file' ? state.scope.file : this.view.lastFile;
    this.scopeButton.textContent = state.scope.kind === 'file' ? `File: ${basename(state.scope.file)}` : 'Workspace';
    this.scopeButton.setAttribute('aria-pressed', String(state.scope.kind === 'workspace'));
    this.scopeButton.disabled = state.scope.kind === 'workspace' && !file;
    this.scopeButton.title = state.scope.kind === 'file' ? `${state.scope.file} with its up- and downstream; click for the whole workspace` : file ? `Whole workspace; click for ${file}` : 'Whole workspace';
    if (this.search.value !== state.search) this.search.value = state.search;
    const matches = this.view.decorations?.matches;
    this.searchCount.textContent = matches ? `${matches.size} match${matches.size === 1 ? '' : 'es'}` : '';
    this.focusSelect.value = state.focus?.direction ?? 'off';
    if (state.focus) this.depthInput.value = String(state.focus.depth);
    const selected = this.view.selectedNode();
    this.focusSelect.disabled = !selected && !state.focus;
    // Depth only matters in focus mode: hidden otherwise, so a narrow panel keeps one toolbar row longer.
    this.depthInput.hidden = !state.focus;
    this.groupButton.hidden = !selected || selected.kind === 'table';
    if (selected) this.groupButton.textContent = selected.kind === 'module' || selected.kind === 'family' ? 'Expand' : 'Collapse module';
    this.direction.value = state.direction;
    this.tablesSelect.value = state.tables ? 'tables' : 'tasks';
    // Say why "Tasks + tables" would change nothing, rather than leave the user guessing.
    const tables = this.view.tableCount();
    this.tablesSelect.title = tables
      ? `Draw the ${tables} Spanner table${tables === 1 ? '' : 's'} the tasks write and read between them`
      : 'No Spanner table is written or read by these tasks (mutations, read() and SQL with a literal table name)';
    this.modulesButton.textContent = state.collapsedModules.length ? `Modules (${state.collapsedModules.length} collapsed)` : 'Modules';
  }

  private toggleModulesPanel(): void {
    const panel = this.modulesPanel;
    if (!panel.classList.contains('hidden')) {
      panel.classList.add('hidden');
      return;
    }
    const collapsed = new Set(this.view.state.collapsedModules);
    const all = h('button', { type: 'button' }, 'Collapse all');
    all.addEventListener('click', () => {
      this.view.setAllModules(true);
      panel.classList.add('hidden');
    });
    const none = h('button', { type: 'button' }, 'Expand all');
    none.addEventListener('click', () => {
      this.view.setAllModules(false);
      panel.classList.add('hidden');
    });
    const list = h('ul');
    for (const { module, tasks } of this.view.modules()) {
      const box = h('input', { type: 'checkbox', checked: collapsed.has(module) });
      box.addEventListener('change', () => this.view.toggleModule(module, box.checked));
      list.append(h('li', {}, h('label', {}, box, ` ${module} `, h('span', { className: 'count' }, String(tasks)))));
    }
    panel.replaceChildren(h('div', { className: 'row' }, all, none), h('p', { className: 'hint' }, 'Checked modules are drawn as one node.'), list);
    panel.classList.remove('hidden');
  }
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
