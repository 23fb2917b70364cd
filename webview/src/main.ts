// Graph view entry (built to dist/webview/main.js, an iife). Builds the page, starts the
// layout workers early, and says `ready` to the host once every listener is attached.
import { h } from './dom';
import { LAYOUT_DIRECTIONS } from '../../extension/shared/protocol';
import { HostChannel } from './host';
import { LayoutWorkerPool } from './layoutWorkers';
import { onThemeChange } from './palette';
import { attachRowPreview } from './rowPreview';
import { Toolbar } from './toolbar';
import { Tooltip } from './tooltip';
import { GraphView } from './view';

function main(): void {
  const root = document.getElementById('graph-root');
  const workerUrl = root?.dataset.layoutWorker;
  if (!root || !workerUrl) throw new Error('The graph page lacks #graph-root[data-layout-worker].');

  const host = new HostChannel();
  // Two workers: components are laid out in parallel; more would only compete for 2 cores.
  const pool = new LayoutWorkerPool(workerUrl, Math.max(1, Math.min(2, navigator.hardwareConcurrency || 2)));
  // Compiling ELK takes a core for a moment: only when the language server does not lay out.
  if (root.dataset.layoutService !== 'true') pool.warmUp();

  const canvas = h('div', { className: 'canvas', tabindex: 0, 'aria-label': 'Pipeline graph: drag or arrow keys to pan, wheel to zoom, click a task to open it; with a task selected, arrow keys move between tasks, Enter opens it and P previews the rows it wrote' });
  // Never a blank panel: this stays until the first graph arrives (the index may still be loading).
  const status = h('div', { className: 'status', 'aria-live': 'polite' }, 'Loading the pipeline graph…');
  const message = h('div', { className: 'message hidden' });
  const error = h('div', { className: 'error hidden', role: 'alert' });

  const direction = LAYOUT_DIRECTIONS.find((d) => d === root.dataset.defaultDirection) ?? 'RIGHT';
  const view = new GraphView(host, pool, canvas, {
    status: (text) => (status.textContent = text),
    message: (text, action) => {
      message.classList.toggle('hidden', text === null);
      message.replaceChildren();
      if (text === null) return;
      message.append(h('p', {}, text));
      if (action) {
        const button = h('button', { type: 'button' }, action.label);
        button.addEventListener('click', action.run);
        message.append(button);
      }
    },
    error: (text) => {
      error.textContent = `The graph view hit a problem: ${text}`;
      error.classList.remove('hidden');
    },
  }, direction);
  const toolbar = new Toolbar(view);
  view.toolbar = toolbar;
  const tooltip = new Tooltip(view, canvas);
  root.append(toolbar.element, h('div', { className: 'stage' }, canvas, tooltip.element, message, error, status));

  canvas.addEventListener('keydown', (e) => {
    const step = 80;
    // With a task selected, arrows move the selection (Shift+arrows still pan); else they pan.
    const arrow = (dx: -1 | 0 | 1, dy: -1 | 0 | 1) => () => (!e.shiftKey && view.moveSelection(dx, dy)) || view.viewport.panBy(-dx * step, -dy * step);
    const keys: Record<string, () => void> = {
      ArrowLeft: arrow(-1, 0),
      ArrowRight: arrow(1, 0),
      ArrowUp: arrow(0, -1),
      ArrowDown: arrow(0, 1),
      '+': () => view.viewport.zoomBy(1.25),
      '=': () => view.viewport.zoomBy(1.25),
      '-': () => view.viewport.zoomBy(1 / 1.25),
      '0': () => view.command('fit'),
      '/': () => toolbar.focusSearch(),
      t: () => view.command('toggleScope'),
      Enter: () => view.select(view.state.selectedId, true),
      Escape: () => view.select(null, false),
    };
    const action = keys[e.key];
    if (!action || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    action();
  });
  attachRowPreview(view, host, canvas);
  onThemeChange(() => view.scene.refreshTheme());
  view.start();
  toolbar.sync();
}

// Once the document is parsed: the parser's last task and the load event otherwise run between
// the first frame and the task that reports it settled (~20-30 ms at 200 tasks). Messages the host
// posts meanwhile are kept by the page's first script (host.ts).
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main, { once: true });
else main();
