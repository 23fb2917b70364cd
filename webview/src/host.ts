// The webview's side of the channel: typed posts to the extension host and the state
// VS Code keeps for the panel (restored after a restart). Only `acquireVsCodeApi` from VS Code.
import { EARLY_CHANNEL_GLOBAL, OPENING_ELEMENT_ID, SNAPSHOT_ELEMENT_ID, type HostToWebviewMessage, type PersistedViewState, type WebviewToHostMessage } from '../../extension/shared/protocol';
import type { GraphSnapshot } from '../../extension/core/graphLayout/types';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What the page's first script (extension/vscode/graph/html.ts) leaves for the bundle. */
interface EarlyChannel {
  api: VsCodeApi;
  /** Messages the host posted before the bundle listened, in order. */
  early: MessageEvent[];
  /** Removes that script's listener. */
  stop(): void;
}

export class HostChannel {
  private readonly earlyChannel = (window as unknown as Record<string, EarlyChannel | undefined>)[EARLY_CHANNEL_GLOBAL];
  private readonly api: VsCodeApi = this.earlyChannel?.api ?? acquireVsCodeApi();
  /** The page's first script said `ready` already: the view does not say it again (the host would post the graph twice). */
  readonly saidReady = this.earlyChannel !== undefined;

  post(message: WebviewToHostMessage): void {
    this.api.postMessage(message);
  }

  /**
   * Listens from now on. First, before this returns: the message the page's HTML carries (the
   * host's opening graph, OPENING_ELEMENT_ID), then those the page's first script kept, in order.
   */
  onMessage(handler: (message: HostToWebviewMessage) => void): void {
    const accept = (data: unknown) => {
      // Messages come from our host only (VS Code relays nothing else), but stay defensive.
      if (typeof data === 'object' && data !== null && typeof (data as { method?: unknown }).method === 'string') handler(data as HostToWebviewMessage);
    };
    const dispatch = (event: MessageEvent) => accept(event.data);
    window.addEventListener('message', dispatch);
    const opening = this.takeOpening();
    if (opening) accept(opening);
    if (!this.earlyChannel) return;
    this.earlyChannel.stop();
    for (const event of this.earlyChannel.early.splice(0)) dispatch(event);
  }

  /** The opening message in the page's HTML, once (its element goes: 1-2 MB of text on a big graph). */
  private takeOpening(): unknown {
    const element = document.getElementById(OPENING_ELEMENT_ID);
    if (!element) return undefined;
    element.remove();
    const opening = JSON.parse(element.textContent ?? 'null') as { scope?: unknown; revealTaskId?: unknown } | null;
    // VS Code reloads the same HTML when a hidden panel shows again: the page restored from its
    // state keeps its own view; the scope and the task to reveal were the first open's.
    if (opening && this.loadState()) {
      delete opening.scope;
      delete opening.revealTaskId;
    }
    return opening;
  }

  /**
   * The opening's first drawing of a big graph (SNAPSHOT_ELEMENT_ID), once; none for a page
   * restored from its state (it keeps its own view).
   */
  takeSnapshot(): GraphSnapshot | undefined {
    const element = document.getElementById(SNAPSHOT_ELEMENT_ID);
    if (!element) return undefined;
    element.remove();
    if (this.loadState()) return undefined;
    const snapshot = JSON.parse(element.textContent ?? 'null') as GraphSnapshot | null;
    return snapshot ?? undefined;
  }

  loadState(): Partial<PersistedViewState> | undefined {
    const state = this.api.getState();
    return typeof state === 'object' && state !== null ? (state as Partial<PersistedViewState>) : undefined;
  }

  saveState(state: PersistedViewState): void {
    this.api.setState(state);
  }
}
