// The toolbar above the graph: one row that never wraps. Its controls are a list of items with
// priorities; when the panel is too narrow for all of them, the least important move into the
// "More" menu (which also always holds the occasional actions: Re-layout, exports). Every
// control keeps its width whatever the state (a selection, a search count), so nothing jumps.
// To add a control (a toggle, say), add an item to `items` in the constructor.
// Plain DOM; `sync()` brings every control in line with the view's state.
import { LAYOUT_DIRECTIONS, type FocusDirection, type LayoutDirection } from '../../extension/shared/protocol';
import { h } from './dom';
import type { GraphView } from './view';

const DIRECTION_LABELS: Record<LayoutDirection, string> = { RIGHT: 'Left to right', DOWN: 'Top to bottom', LEFT: 'Right to left', UP: 'Bottom to top' };
const MAX_DEPTH = 10;

export interface ToolbarItem {
  id: string;
  element: HTMLElement;
  /** Higher stays in the row longer; the lowest move to the More menu first. */
  priority: number;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly row: HTMLElement;
  private readonly items: ToolbarItem[];
  private readonly moreButton: HTMLButtonElement;
  private readonly moreMenu: HTMLElement;
  private readonly overflowSlot: HTMLElement;
  private readonly scopeButton: HTMLButtonElement;
  private readonly search: HTMLInputElement;
  private readonly searchCount: HTMLElement;
  private readonly prevButton: HTMLButtonElement;
  private readonly nextButton: HTMLButtonElement;
  private readonly focusSelect: HTMLSelectElement;
  private readonly depthSelect: HTMLSelectElement;
  private readonly groupButton: HTMLButtonElement;
  private readonly direction: HTMLSelectElement;
  private readonly tablesSelect: HTMLSelectElement;
  private readonly modulesButton: HTMLButtonElement;
  private readonly modulesCount: HTMLElement;
  private readonly modulesPanel: HTMLElement;

  constructor(private readonly view: GraphView) {
    const button = (label: string, title: string, run: () => void, className = '') => {
      const b = h('button', { type: 'button', title, 'aria-label': title, className }, label);
      b.addEventListener('click', run);
      return b;
    };
    const labelled = (className: string, text: string, control: HTMLElement) => h('label', { className: `item labelled ${className}` }, h('span', { className: 'label' }, text), control);

    this.scopeButton = h('button', { type: 'button', className: 'scope', title: 'Show the current file (with its up- and downstream) or the whole workspace (T)' });
    this.scopeButton.addEventListener('click', () => view.setScope(view.state.scope.kind === 'file' ? 'workspace' : 'file'));

    this.search = h('input', { type: 'search', className: 'search', placeholder: 'Search tasks, modules, tables', 'aria-label': 'Search tasks', spellcheck: 'false' });
    this.searchCount = h('span', { className: 'count', 'aria-live': 'polite' });
    this.search.addEventListener('input', () => {
      view.setSearch(this.search.value);
      this.sync();
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        view.nextMatch(e.shiftKey ? -1 : 1);
        this.sync();
      }
      if (e.key === 'Escape') {
        this.search.value = '';
        view.setSearch('');
        this.sync();
      }
    });
    this.prevButton = button('↑', 'Previous match (Shift+Enter)', () => {
      view.nextMatch(-1);
      this.sync();
    }, 'icon prev');
    this.nextButton = button('↓', 'Next match (Enter)', () => {
      view.nextMatch(1);
      this.sync();
    }, 'icon next');

    this.focusSelect = h(
      'select',
      { className: 'focus', 'aria-label': 'Focus on the selected task', title: 'Show only the lineage of the selected task' },
      h('option', { value: 'off' }, 'Off'),
      h('option', { value: 'upstream' }, 'Upstream'),
      h('option', { value: 'downstream' }, 'Downstream'),
      h('option', { value: 'both' }, 'Both ways'),
    );
    this.depthSelect = h(
      'select',
      { className: 'depth', 'aria-label': 'Focus depth: levels of the lineage to follow', title: 'Levels of the lineage to follow' },
      h('option', { value: '0' }, 'All'),
      ...Array.from({ length: MAX_DEPTH }, (_, i) => h('option', { value: String(i + 1) }, String(i + 1))),
    );
    const applyFocus = () => view.setFocus(this.focusSelect.value as FocusDirection | 'off', Math.max(0, Math.min(50, Number(this.depthSelect.value) || 0)));
    this.focusSelect.addEventListener('change', applyFocus);
    this.depthSelect.addEventListener('change', applyFocus);

    this.groupButton = h('button', { type: 'button', className: 'group', title: 'Draw the selected task’s module as one node, or expand the selected group' }, 'Collapse module');
    this.groupButton.addEventListener('click', () => {
      const node = view.selectedNode();
      if (!node) return;
      if (node.kind === 'module' || node.kind === 'family') view.expand(node.id);
      else view.toggleModule(node.module, true);
    });

    this.modulesPanel = h('div', { className: 'modules-panel hidden', role: 'dialog', 'aria-label': 'Modules' });
    this.modulesCount = h('span', { className: 'badge' });
    this.modulesButton = h('button', { type: 'button', className: 'modules', 'aria-haspopup': 'dialog', title: 'Collapse or expand modules' }, 'Modules', this.modulesCount);
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

    const item = (id: string, priority: number, ...children: HTMLElement[]): ToolbarItem => ({ id, priority, element: children.length === 1 && children[0]!.classList.contains('item') ? children[0]! : h('span', { className: `item ${id}-item` }, ...children) });
    this.items = [
      item('scope', 90, this.scopeButton),
      item('search', 100, h('span', { className: 'search-box' }, this.search, this.searchCount, this.prevButton, this.nextButton)),
      item('focus', 60, labelled('focus-item', 'Focus', this.focusSelect)),
      item('depth', 50, labelled('depth-item', 'Depth', this.depthSelect)),
      item('group', 30, this.groupButton),
      item('modules', 40, this.modulesButton),
      item('direction', 20, this.direction),
      item('tables', 95, this.tablesSelect),
      item('zoom', 80, button('−', 'Zoom out (-)', () => view.viewport.zoomBy(1 / 1.25), 'icon'), button('+', 'Zoom in (+)', () => view.viewport.zoomBy(1.25), 'icon'), button('Fit', 'Fit the graph, at a readable size (0)', () => view.command('fit'))),
    ];

    this.moreMenu = h('div', { className: 'more-menu hidden', role: 'menu', 'aria-label': 'More' });
    this.overflowSlot = h('div', { className: 'overflow hidden' });
    const menuAction = (label: string, title: string, run: () => void) => {
      const b = h('button', { type: 'button', role: 'menuitem', title, 'aria-label': title, className: 'menu-action' }, label);
      b.addEventListener('click', () => {
        this.moreMenu.classList.add('hidden');
        this.moreButton.setAttribute('aria-expanded', 'false');
        run();
      });
      return b;
    };
    this.moreMenu.append(
      this.overflowSlot,
      menuAction('Re-layout', 'Lay out afresh, forgetting where components were', () => view.command('relayout')),
      menuAction('Export SVG', 'Export as SVG', () => view.command('exportSvg')),
      menuAction('Export PNG', 'Export as PNG', () => view.command('exportPng')),
    );
    this.moreButton = h('button', { type: 'button', className: 'more icon', title: 'More controls and actions', 'aria-label': 'More controls and actions', 'aria-haspopup': 'menu', 'aria-expanded': 'false' }, '⋯');
    this.moreButton.addEventListener('click', () => {
      const open = this.moreMenu.classList.toggle('hidden') === false;
      this.moreButton.setAttribute('aria-expanded', String(open));
    });

    this.row = h('div', { className: 'row' }, ...this.items.map((i) => i.element), h('span', { className: 'spacer' }));
    this.element = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Graph' }, this.row, this.moreButton, this.moreMenu, this.modulesPanel);
    new ResizeObserver(() => this.reflow()).observe(this.element);
    document.addEventListener('pointerdown', (e) => {
      const inside = (el: HTMLElement) => e.target instanceof Node && el.contains(e.target);
      if (!this.modulesPanel.classList.contains('hidden') && !inside(this.modulesPanel) && !inside(this.modulesButton)) this.modulesPanel.classList.add('hidden');
      if (!this.moreMenu.classList.contains('hidden') && !inside(this.moreMenu) && !inside(this.moreButton) && !inside(this.modulesPanel)) {
        this.moreMenu.classList.add('hidden');
        this.moreButton.setAttribute('aria-expanded', 'false');
      }
    });
  }

  /**
   * Puts every item back in the row, then moves the least important ones to the More menu
   * until the row fits. Runs when the toolbar's width changes, never on a state change.
   */
  reflow(): void {
    const spacer = this.row.lastElementChild!;
    // Only if some are in the menu: moving nothing keeps the layout the frame just computed, so
    // the first frame (all items in the row) reads the row's width without laying out again.
    if (this.overflowSlot.childElementCount > 0) for (const item of this.items) this.row.insertBefore(item.element, spacer);
    const byPriority = [...this.items].sort((a, b) => a.priority - b.priority);
    const moved = new Set<ToolbarItem>();
    for (const item of byPriority) {
      if (this.row.scrollWidth <= this.row.clientWidth + 1) break;
      item.element.remove();
      moved.add(item);
    }
    // The menu lists them in toolbar order.
    if (moved.size > 0 || this.overflowSlot.childElementCount > 0) this.overflowSlot.replaceChildren(...this.items.filter((i) => moved.has(i)).map((i) => i.element));
    this.overflowSlot.classList.toggle('hidden', moved.size === 0);
  }

  /** Ids of the items that did not fit the row (tests read it). */
  overflowed(): string[] {
    return this.items.filter((i) => this.overflowSlot.contains(i.element)).map((i) => i.id);
  }

  focusSearch(): void {
    if (this.overflowSlot.contains(this.search)) {
      this.moreMenu.classList.remove('hidden');
      this.moreButton.setAttribute('aria-expanded', 'true');
    }
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
    const order = this.view.matchOrder;
    const searching = this.view.decorations?.matches != null;
    const current = this.view.currentMatch ? order.indexOf(this.view.currentMatch) + 1 : 0;
    this.searchCount.textContent = !searching ? '' : order.length === 0 ? 'No matches' : `${current || '–'} of ${order.length}`;
    this.prevButton.disabled = this.nextButton.disabled = order.length === 0;
    this.focusSelect.value = state.focus?.direction ?? 'off';
    if (state.focus) this.depthSelect.value = String(Math.min(MAX_DEPTH, state.focus.depth));
    const selected = this.view.selectedNode();
    this.focusSelect.disabled = !selected && !state.focus;
    // Disabled rather than hidden: a control that comes and goes moves everything after it.
    this.depthSelect.disabled = !state.focus;
    this.groupButton.disabled = !selected || selected.kind === 'table';
    this.groupButton.textContent = selected && (selected.kind === 'module' || selected.kind === 'family') ? 'Expand group' : 'Collapse module';
    this.direction.value = state.direction;
    this.tablesSelect.value = state.tables ? 'tables' : 'tasks';
    // Say why "Tasks + tables" would change nothing, rather than leave the user guessing.
    const tables = this.view.tableCount();
    this.tablesSelect.title = tables
      ? `Draw the ${tables} Spanner table${tables === 1 ? '' : 's'} the tasks write and read between them`
      : 'No Spanner table is written or read by these tasks (mutations, read() and SQL with a literal table name)';
    const collapsed = state.collapsedModules.length;
    this.modulesCount.textContent = collapsed ? String(collapsed) : '';
    this.modulesButton.title = collapsed ? `${collapsed} module${collapsed === 1 ? '' : 's'} collapsed; collapse or expand modules` : 'Collapse or expand modules';
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
    // Below its button, wherever that is (the row or the More menu), inside the panel.
    const bar = this.element.getBoundingClientRect();
    const anchor = this.modulesButton.getBoundingClientRect();
    panel.classList.remove('hidden');
    panel.style.top = `${anchor.bottom - bar.top + 2}px`;
    panel.style.left = `${Math.max(0, Math.min(anchor.left - bar.left, bar.width - panel.offsetWidth))}px`;
  }
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
