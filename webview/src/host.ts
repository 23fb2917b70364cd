// The webview's side of the channel: typed posts to the extension host and the state
// VS Code keeps for the panel (restored after a restart). Only `acquireVsCodeApi` from VS Code.
import { EARLY_CHANNEL_GLOBAL, type HostToWebviewMessage, type PersistedViewState, type WebviewToHostMessage } from '../../extension/shared/protocol';

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

  /** Listens from now on; the messages the page's first script kept are handled first, in order, before this returns. */
  onMessage(handler: (message: HostToWebviewMessage) => void): void {
    const dispatch = (event: MessageEvent) => {
      const data: unknown = event.data;
      // Messages come from our host only (VS Code relays nothing else), but stay defensive.
      if (typeof data === 'object' && data !== null && typeof (data as { method?: unknown }).method === 'string') handler(data as HostToWebviewMessage);
    };
    window.addEventListener('message', dispatch);
    if (!this.earlyChannel) return;
    this.earlyChannel.stop();
    for (const event of this.earlyChannel.early.splice(0)) dispatch(event);
  }

  loadState(): Partial<PersistedViewState> | undefined {
    const state = this.api.getState();
    return typeof state === 'object' && state !== null ? (state as Partial<PersistedViewState>) : undefined;
  }

  saveState(state: PersistedViewState): void {
    this.api.setState(state);
  }
}
