// The webview's side of the channel: typed posts to the extension host and the state
// VS Code keeps for the panel (restored after a restart). Only `acquireVsCodeApi` from VS Code.
import type { HostToWebviewMessage, PersistedViewState, WebviewToHostMessage } from '../../extension/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class HostChannel {
  private readonly api: VsCodeApi = acquireVsCodeApi();

  post(message: WebviewToHostMessage): void {
    this.api.postMessage(message);
  }

  onMessage(handler: (message: HostToWebviewMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      // Messages come from our host only (VS Code relays nothing else), but stay defensive.
      if (typeof data === 'object' && data !== null && typeof (data as { method?: unknown }).method === 'string') handler(data as HostToWebviewMessage);
    });
  }

  loadState(): Partial<PersistedViewState> | undefined {
    const state = this.api.getState();
    return typeof state === 'object' && state !== null ? (state as Partial<PersistedViewState>) : undefined;
  }

  saveState(state: PersistedViewState): void {
    this.api.setState(state);
  }
}
