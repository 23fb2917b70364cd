// The graph browser tests' shared set-up: one Chromium and the page servers per test file, every
// page a test opened closed after the file, and the two waits every graph test needs. Kept apart
// from harness.ts, which bench/graph-view.ts bundles too and which must not import vitest.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { GraphJson } from '../../extension/core/analysis/types';
import { GraphLoad, RenderStats, type GraphLoadMessage } from '../../extension/shared/protocol';
import { launchChromium, openGraphPage, startServers, type GraphPage, type OpenOptions, type Servers } from './harness';

/** Registers the file's beforeAll/afterAll; `defaults` apply to every page it opens (e.g. a viewport). */
export function graphPageSession(defaults: OpenOptions = {}) {
  let browser: Browser | undefined;
  let servers: Servers | undefined;
  const pages: GraphPage[] = [];
  beforeAll(async () => {
    servers = await startServers();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await Promise.all(pages.map((p) => p.close()));
    await browser?.close();
    await servers?.close();
  });
  /** A graph page, not yet waited for. */
  const page = async (options: OpenOptions = {}): Promise<GraphPage> => {
    const opened = await openGraphPage(browser!, servers!, { ...defaults, ...options });
    pages.push(opened);
    return opened;
  };
  return {
    page,
    /** A graph page whose webview said it is ready. */
    async open(options: OpenOptions = {}): Promise<GraphPage> {
      const opened = await page(options);
      await opened.waitForPosted('graph/ready');
      return opened;
    },
  };
}

/** Posts a graph and waits until the webview reports it settled on screen. */
export async function loadGraph(page: GraphPage, graph: GraphJson, extra: Partial<GraphLoadMessage> = {}) {
  const since = await page.postedCount();
  await page.send({ method: GraphLoad, graph, reason: 'open', scope: { kind: 'workspace' }, ...extra });
  return page.waitForPosted(RenderStats, { since });
}

/** Waits for the next settled render after an action. */
export async function settledAfter(page: GraphPage, action: () => Promise<unknown>) {
  const since = await page.postedCount();
  await action();
  return page.waitForPosted(RenderStats, { since });
}
