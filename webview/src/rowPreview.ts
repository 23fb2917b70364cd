// "Preview rows" on a task of the graph: P on the selected task, or "Preview Rows the Task Wrote"
// in the context menu of a task (VS Code's webview context menu reads the element's
// data-vscode-context; package.json's webview/context menu shows the item for a task). Either
// way the host opens the preview Luigi Runs opens: the task's tables in the last run's database.
import { PreviewTaskRows } from '../../extension/shared/protocol';
import type { HostChannel } from './host';
import type { GraphView } from './view';

export function attachRowPreview(view: GraphView, host: HostChannel, canvas: HTMLElement): void {
  const taskId = (nodeId: string | null | undefined) => {
    const node = nodeId ? view.nodeInfo(nodeId)?.node : undefined;
    return node?.kind === 'task' ? node.id : undefined;
  };
  canvas.addEventListener('keydown', (e) => {
    if (e.key !== 'p' || e.ctrlKey || e.metaKey || e.altKey) return;
    const id = taskId(view.state.selectedId);
    if (!id) return;
    e.preventDefault();
    host.post({ method: PreviewTaskRows, taskId: id });
  });
  // Runs before VS Code's own listener on the window, which reads the context from the target up.
  canvas.addEventListener('contextmenu', (e) => {
    const id = taskId(view.scene.nodeAt(e.clientX, e.clientY));
    canvas.dataset.vscodeContext = JSON.stringify(id ? { webviewSection: 'task', taskId: id, preventDefaultContextMenuItems: true } : { preventDefaultContextMenuItems: true });
  });
}
