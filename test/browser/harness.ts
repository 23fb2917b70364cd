// Serves the built webview (dist/webview) the way VS Code does and drives it in Debian's
// Chromium: the page is the host's own HTML with its Content-Security-Policy, the bundle comes
// from another origin (VS Code serves resources from a different origin than the webview),
// and `acquireVsCodeApi` is a stub that records posted messages, keeps setState, and answers
// layout-cache lookups from an in-page map like the host's persistent cache does.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { graphHtml, webviewBundle } from '../../extension/vscode/graph/html';
import type { GraphLoadMessage, HostToWebviewMessage, LayoutDirection, LspGraphLayoutResult, WebviewToHostMessage } from '../../extension/shared/protocol';
import type { LayoutJobSpec } from '../../extension/core/graphLayout/elk';
import type { ComponentLayout } from '../../extension/core/graphLayout/types';
import { THEMES, type ThemeKind } from './themes';

const root = path.resolve(__dirname, '../..');
const distWebview = path.join(root, 'dist', 'webview');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

export interface Servers {
  pageOrigin: string;
  assetOrigin: string;
  /**
   * Serves the messages a host posts, in order, at `${assetOrigin}/posted/<token>/<n>` (the CSP's
   * connect-src) once each is posted (openGraphPage `onReady`); 204 after the last. The page
   * fetches them from its `ready` on, as the host posts on `ready`: the first request tells this
   * process the page said ready (as soon as the `graph/ready` binding would, or sooner).
   */
  outbox(onFirstRequest?: () => void): { token: string; post(message: HostToWebviewMessage): void; end(): void };
  /** The page served with `?opening=<token>` carries what `make` returns, made as the page is requested (graphHtml `opening`). */
  opening(make: () => GraphLoadMessage): string;
  /** The page served with `?bundle=<token>` inlines main.js and graph.css from `directory` instead of dist/webview (a benchmark's A/B of two builds). */
  bundle(directory: string): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** The page on one origin, the bundle on another (ports differ), as in VS Code. */
export async function startServers(): Promise<Servers> {
  if (!existsSync(path.join(distWebview, 'main.js'))) throw new Error('dist/webview/main.js is missing: run `npm run build` first.');
  const outboxes = new Map<string, Outbox>();
  const openings = new Map<string, () => GraphLoadMessage>();
  const bundles = new Map<string, string>();
  const assets = createServer((req, res) => {
    const posted = /^\/posted\/(\w+)\/(\d+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (posted) {
      const box = outboxes.get(posted[1]!);
      if (!box) {
        res.writeHead(404).end();
        return;
      }
      if (posted[2] === '0') box.onFirstRequest?.();
      // Serialised here, off the page's thread, as the extension host serialises what it posts.
      void box.slot(Number(posted[2])).then((m) => {
        const headers = { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' };
        if (m === null) {
          outboxes.delete(posted[1]!);
          res.writeHead(204, headers).end();
        } else res.writeHead(200, headers).end(JSON.stringify(m));
      });
      return;
    }
    const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(distWebview, name);
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    // VS Code's resource loader allows any origin; fetch() of the worker script needs it.
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
    res.end(readFileSync(file));
  });
  const assetOrigin = await listen(assets);
  const pages = createServer((req, res) => {
    const nonce = randomBytes(16).toString('base64');
    // ?direction=DOWN: the luigiSpanner.graph.direction setting as the host passes it.
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const direction = params.get('direction') ?? undefined;
    const opening = openings.get(params.get('opening') ?? '');
    openings.delete(params.get('opening') ?? '');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      graphHtml({
        cspSource: assetOrigin,
        nonce,
        // Inlined as the host does (graphPanel.ts); ?inline=0 loads them from the asset origin.
        ...(params.get('inline') === '0'
          ? { script: { uri: `${assetOrigin}/main.js` }, style: { uri: `${assetOrigin}/graph.css` } }
          : (({ script, style }) => ({ script: { inline: script }, style: { inline: style } }))(webviewBundle(bundles.get(params.get('bundle') ?? '') ?? distWebview, `${assetOrigin}/main.js`))),
        layoutWorkerUri: `${assetOrigin}/layout-worker.js`,
        defaultDirection: direction as LayoutDirection | undefined,
        // ?layoutService=1: the host has a language server that lays out (openGraphPage `layouts`).
        layoutService: params.get('layoutService') === '1',
        // Made here, after navigation start, as the host makes it once the command runs.
        ...(opening ? { opening: opening() } : {}),
      }),
    );
  });
  const pageOrigin = await listen(pages);
  return {
    pageOrigin,
    assetOrigin,
    outbox: (onFirstRequest) => {
      const token = randomBytes(8).toString('hex');
      const box = new Outbox();
      box.onFirstRequest = onFirstRequest;
      outboxes.set(token, box);
      return { token, post: (m) => box.push(m), end: () => box.push(null) };
    },
    bundle: (directory) => {
      const token = randomBytes(8).toString('hex');
      bundles.set(token, directory);
      return token;
    },
    opening: (make) => {
      const token = randomBytes(8).toString('hex');
      openings.set(token, make);
      return token;
    },
    close: async () => {
      await Promise.all([assets, pages].map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/** Messages in posting order; `null` ends them. */
class Outbox {
  private readonly slots: { promise: Promise<HostToWebviewMessage | null>; resolve(m: HostToWebviewMessage | null): void }[] = [];
  private posted = 0;
  onFirstRequest: (() => void) | undefined;

  slot(n: number): Promise<HostToWebviewMessage | null> {
    while (this.slots.length <= n) {
      let resolve!: (m: HostToWebviewMessage | null) => void;
      const promise = new Promise<HostToWebviewMessage | null>((r) => (resolve = r));
      this.slots.push({ promise, resolve });
    }
    return this.slots[n]!.promise;
  }

  push(message: HostToWebviewMessage | null): void {
    void this.slot(this.posted);
    this.slots[this.posted++]!.resolve(message);
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

export interface OpenOptions {
  theme?: ThemeKind;
  /** What getState() returns at start (a restored panel). */
  state?: unknown;
  /** Entries the "host" layout cache already holds (a graph seen in an earlier session). */
  hostCache?: readonly ComponentLayout[];
  viewport?: { width: number; height: number };
  /** The host's default layout direction (setting luigiSpanner.graph.direction). */
  defaultDirection?: LayoutDirection;
  /**
   * The host's language-server layouts (graphPanel.ts `layouts`): cache lookups and `layout/run`
   * go to this Node function, as the host sends them to `luigiSpanner/graphLayout`.
   */
  layouts?: (keys: string[], jobs?: LayoutJobSpec[]) => Promise<LspGraphLayoutResult>;
  /** false: the page loads main.js and graph.css from the asset origin instead of inlining them as the host does (for comparison). */
  inlineBundle?: boolean;
  /** Inline the bundle from this directory instead of dist/webview (Servers.bundle). */
  bundleDirectory?: string;
  /** Called with the new page before it navigates (routes, e.g. a slow resource). */
  beforeNavigation?: (page: Page) => Promise<unknown> | void;
  /**
   * Posted by the stub as soon as the page says `graph/ready`, as the host does (no test round
   * trip). A function is called at navigation start (the host starts fetching what it posts as
   * the panel starts loading), given a promise of the page's `ready` as this process sees it and
   * a `post` for messages in order; what it resolves to is posted last. The page fetches the
   * messages from the asset server from its `ready` on, so nothing of them is in the page before
   * (inlined into the init script, a big graph was parsed before the page's own script: ~0.2 s at
   * 3,000 tasks).
   */
  /**
   * The host's first message in the page's HTML (graphPanel.ts `openingMessage`: a new panel whose
   * layouts the host holds), made when the page is requested.
   */
  opening?: () => GraphLoadMessage;
  onReady?: HostToWebviewMessage | ((ready: Promise<void>, post: (message: HostToWebviewMessage) => void) => Promise<HostToWebviewMessage | void>);
}

export interface GraphPage {
  page: Page;
  send(message: HostToWebviewMessage): Promise<void>;
  posted(): Promise<WebviewToHostMessage[]>;
  /** Waits for the n-th (default: first new) message of a method posted after `since`. */
  waitForPosted<M extends WebviewToHostMessage['method']>(method: M, options?: { since?: number; timeout?: number }): Promise<Extract<WebviewToHostMessage, { method: M }>>;
  postedCount(): Promise<number>;
  state(): Promise<unknown>;
  hostCache(): Promise<ComponentLayout[]>;
  /** CSP violations and page errors seen so far. */
  problems(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openGraphPage(browser: Browser, servers: Servers, options: OpenOptions = {}): Promise<GraphPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1200, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  const theme = THEMES[options.theme ?? 'dark'];
  if (options.layouts) await page.exposeFunction('__hostLayouts', options.layouts);
  // Each posted message's method and index, told to this process as it is posted: waits need no
  // polling in the page (a waitForFunction polling every 20 ms took the page's main thread while
  // it loaded, and its first run compiled Playwright's injected script there: ~30 ms mid-load).
  const arrivals: { method: string; index: number }[] = [];
  const arrived = new Set<() => void>();
  let saidReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (saidReady = resolve));
  await page.exposeBinding('__postedToHost', (_source, method: string, index: number) => {
    if (method === 'graph/ready') saidReady();
    arrivals.push({ method, index });
    for (const check of [...arrived]) check();
  });
  // The ready messages, posted from navigation start (see `onReady`).
  const outbox = options.onReady && servers.outbox(() => saidReady());
  const startReady = () => {
    const onReady = options.onReady;
    if (!outbox || !onReady) return;
    void (typeof onReady === 'function' ? onReady(ready, outbox.post) : Promise.resolve(onReady)).then((last) => {
      if (last) outbox.post(last);
      outbox.end();
    });
  };
  await page.addInitScript(
    ({ theme, state, hostCache, onReady, assetOrigin }) => {
      const w = window as unknown as Record<string, unknown>;
      const posted: unknown[] = [];
      // When each message was posted, in the page's clock (from navigation start): the benchmark's timeline.
      const postedAt: number[] = [];
      w.__postedAt = postedAt;
      const violations: string[] = [];
      const cache = new Map<string, unknown>(hostCache.map((e) => [e.key, e]));
      w.__posted = posted;
      w.__state = state;
      w.__violations = violations;
      w.__hostCache = cache;
      document.addEventListener('securitypolicyviolation', (e) => violations.push(`csp: ${e.violatedDirective} ${e.blockedURI}`));
      // VS Code's webview host page (pre/index.html) keeps the messages for a frame still loading
      // (pendingMessages) and posts them on at the frame's load event, or 200 ms after it set the
      // frame up if it has not loaded by then: the same here, from navigation start.
      const frameLoaded = new Promise<void>((resolve) => {
        if (document.readyState === 'complete') return resolve();
        window.addEventListener('load', () => resolve(), { once: true });
        setTimeout(resolve, Math.max(0, 200 - performance.now()));
      });
      w.acquireVsCodeApi = () => ({
        postMessage(message: { method: string; requestId?: number; keys?: string[]; entries?: { key: string }[] }) {
          posted.push(message);
          postedAt.push(performance.now());
          void (w.__postedToHost as (method: string, index: number) => Promise<void>)(message.method, posted.length - 1);
          // JSON parsed and posted within the page: VS Code's webview host page also receives,
          // then posts the message on into the webview's frame.
          const receive = (n: number): Promise<void> =>
            fetch(`${assetOrigin}/posted/${onReady}/${n}`).then(async (r) => {
              if (r.status !== 200) return;
              const m: unknown = await r.json();
              // When the message was in (bench/graph-boot.ts reads it), then posted on.
              performance.mark(`harness:received ${(m as { method: string }).method}`);
              await frameLoaded;
              window.postMessage(m, '*');
              performance.mark(`harness:delivered ${(m as { method: string }).method}`);
              return receive(n + 1);
            });
          if (message.method === 'graph/ready' && onReady) void receive(0);
          const server = w.__hostLayouts as ((keys: string[], jobs?: unknown[]) => Promise<{ entries: unknown[]; layouts?: unknown[] }>) | undefined;
          if (message.method === 'layout/cacheLookup' && server) {
            void server(message.keys ?? [], undefined).then((r) => window.postMessage({ method: 'layout/cacheResult', requestId: message.requestId, entries: r.entries }, '*'));
          } else if (message.method === 'layout/cacheLookup') {
            const entries = (message.keys ?? []).map((k) => cache.get(k)).filter(Boolean);
            setTimeout(() => window.postMessage({ method: 'layout/cacheResult', requestId: message.requestId, entries }, '*'));
          }
          if (message.method === 'layout/run') {
            const jobs = (message as { jobs?: unknown[] }).jobs ?? [];
            if (!server) setTimeout(() => window.postMessage({ method: 'layout/runResult', requestId: message.requestId, error: 'no language server' }, '*'));
            else
              void server([], jobs).then(
                (r) => window.postMessage({ method: 'layout/runResult', requestId: message.requestId, layouts: r.layouts ?? [] }, '*'),
                (e: unknown) => window.postMessage({ method: 'layout/runResult', requestId: message.requestId, error: String(e) }, '*'),
              );
          }
          if (message.method === 'layout/cacheStore') for (const entry of message.entries ?? []) cache.set(entry.key, entry);
        },
        getState: () => w.__state,
        setState: (s: unknown) => {
          w.__state = s;
        },
      });
      // As VS Code does: theme variables on <html>, the theme kind as a body class. The init
      // script runs before the parser made <html> and <body>: apply once they exist.
      const apply = () => {
        for (const [name, value] of Object.entries(theme.variables)) document.documentElement.style.setProperty(`--vscode-${name}`, value);
        document.body.classList.add(theme.bodyClass);
      };
      new MutationObserver((_m, observer) => {
        if (!document.body) return;
        observer.disconnect();
        apply();
      }).observe(document, { childList: true, subtree: true });
    },
    { theme, state: options.state, hostCache: [...(options.hostCache ?? [])], onReady: outbox?.token, assetOrigin: servers.assetOrigin },
  );
  const query = new URLSearchParams();
  if (options.defaultDirection) query.set('direction', options.defaultDirection);
  if (options.layouts) query.set('layoutService', '1');
  if (options.inlineBundle === false) query.set('inline', '0');
  if (options.opening) query.set('opening', servers.opening(options.opening));
  if (options.bundleDirectory) query.set('bundle', servers.bundle(options.bundleDirectory));
  await options.beforeNavigation?.(page);
  startReady();
  await page.goto(`${servers.pageOrigin}/index.html${query.size ? `?${query}` : ''}`);
  const graphPage: GraphPage = {
    page,
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message as unknown),
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewToHostMessage[] }).__posted),
    postedCount: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.length),
    async waitForPosted(method, { since = 0, timeout = 30_000 } = {}) {
      const find = () => arrivals.find((a) => a.method === method && a.index >= since);
      const hit =
        find() ??
        (await new Promise<{ index: number }>((resolve, reject) => {
          const timer = setTimeout(() => {
            arrived.delete(check);
            reject(new Error(`The webview posted no ${method} (from message ${since}) within ${timeout} ms.`));
          }, timeout);
          const check = () => {
            const found = find();
            if (!found) return;
            clearTimeout(timer);
            arrived.delete(check);
            resolve(found);
          };
          arrived.add(check);
        }));
      return (await page.evaluate((index) => (window as unknown as { __posted: unknown[] }).__posted[index], hit.index)) as never;
    },
    state: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
    hostCache: () => page.evaluate(() => [...(window as unknown as { __hostCache: Map<string, ComponentLayout> }).__hostCache.values()]),
    problems: async () => [...errors, ...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))],
    close: () => context.close(),
  };
  return graphPage;
}
