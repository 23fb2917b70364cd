// Graph view entry (built to dist/webview/main.js, an iife). Builds the page, starts the
// layout workers early, and says `ready` to the host once every listener is attached.
import { h } from './dom';
import { HostChannel } from './host';
import { LayoutWorkerPool } from './layoutWorkers';
import { onThemeChange } from './palette';
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
  pool.warmUp();

  const canvas = h('div', { className: 'canvas', tabindex: 0, 'aria-label': 'Pipeline graph: drag to pan, wheel to zoom, click a task to open it' });
  const status = h('div', { className: 'status', 'aria-live': 'polite' });
  const message = h('div', { className: 'message hidden' });
  const error = h('div', { className: 'error hidden', role: 'alert' });

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
  });
  const toolbar = new Toolbar(view);
  view.toolbar = toolbar;
  const tooltip = new Tooltip(view, canvas);
  root.append(toolbar.element, h('div', { className: 'stage' }, canvas, tooltip.element, message, error, status));

  canvas.addEventListener('keydown', (e) => {
    const step = 80;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => view.viewport.panBy(step, 0),
      ArrowRight: () => view.viewport.panBy(-step, 0),
      ArrowUp: () => view.viewport.panBy(0, step),
      ArrowDown: () => view.viewport.panBy(0, -step),
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
  onThemeChange(() => view.scene.refreshTheme());
  view.start();
  toolbar.sync();
}

main();
