// The results webview's page in real Chromium, fed a real query result from the emulator:
// the script runs under the page's CSP (nonce), does the ready handshake, and renders values
// as text (never as HTML). `acquireVsCodeApi` is the one host function a webview gets; here it
// records what the page posts.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, provision, runQuery } from '../../emulator/src';
import { inspectionSections, querySection } from '../../extension/vscode/emulator/sections';
import { ResultsMessages } from '../../extension/vscode/emulator/protocol';
import { resultsHtml } from '../../extension/vscode/emulator/resultsWebview';
import { emulatorHost, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';

let browser: Browser;

/** Serves the page from a routed URL: init scripts (the host API stand-in) run on navigation. */
async function open(page: Page, html: string): Promise<void> {
  await page.route('https://webview.test/', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto('https://webview.test/');
}
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
});

describe('results view (Chromium, real query result)', () => {
  it('waits for ready, then renders the result as a table of text', async () => {
    const target = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: uniqueDatabaseId('view') };
    await provision(target);
    const result = await runQuery(target, `SELECT 1 AS id, '<img src=x onerror="window.pwned=1">' AS html, CAST(NULL AS STRING) AS nothing, [1, 2] AS list`);

    const page = await browser.newPage();
    const posted: unknown[] = [];
    const cspViolations: string[] = [];
    await page.exposeFunction('recordPost', (message: unknown) => posted.push(message));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.addInitScript(() => {
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
        postMessage: (message: unknown) => (window as unknown as { recordPost: (m: unknown) => void }).recordPost(message),
      });
    });
    await open(page, resultsHtml({ nonce: 'n0nce123', cspSource: 'https://webview.invalid' }));
    await expect.poll(() => posted).toEqual([{ type: ResultsMessages.ready }]);

    await page.evaluate((message) => window.postMessage(message, '*'), { type: ResultsMessages.show, heading: 'SELECT 1', sections: [querySection(result)] });
    await page.waitForSelector('table');
    const headers = await page.$$eval('th', (ths) => ths.map((th) => [th.textContent, th.getAttribute('title')]));
    expect(headers).toEqual([
      ['id', 'INT64'],
      ['html', 'STRING'],
      ['nothing', 'STRING'],
      ['list', 'ARRAY<INT64>'],
    ]);
    const cells = await page.$$eval('td', (tds) => tds.map((td) => [td.textContent, td.className]));
    expect(cells).toEqual([
      ['1', 'number'],
      ['<img src=x onerror="window.pwned=1">', ''],
      ['NULL', 'null'],
      ['[1,2]', ''],
    ]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.$$eval('img', (imgs) => imgs.length)).toBe(0);
    expect(await page.textContent('.note')).toMatch(/^1 row\(s\) in \d+ ms\.$/);
    expect(cspViolations).toEqual([]);

    // An inspection replaces the content: three sections.
    await page.evaluate(
      (message) => window.postMessage(message, '*'),
      {
        type: ResultsMessages.show,
        heading: 'Database x',
        sections: inspectionSections({ tables: [{ name: 'Orders', parent: null, rowCount: 3 }], ledger: [], markers: { table: 'LuigiTaskMarkers', present: false, rows: [] } }),
      },
    );
    await expect.poll(() => page.$$eval('h2', (hs) => hs.map((h) => h.textContent))).toEqual(['Tables', 'Migrations applied', 'Completion markers']);
    expect(await page.$$eval('tbody tr', (rows) => rows.map((r) => r.textContent))).toEqual(['Orders3NULL']);
    expect(await page.$$eval('.note', (notes) => notes.map((n) => n.textContent))).toEqual(['No LuigiTaskMarkers table in this database.']);

    // A marker table without rows says so instead of showing nothing.
    await page.evaluate(
      (message) => window.postMessage(message, '*'),
      {
        type: ResultsMessages.show,
        heading: 'Database y',
        sections: inspectionSections({ tables: [], ledger: [], markers: { table: 'LuigiTaskMarkers', present: true, rows: [] } }),
      },
    );
    await expect.poll(() => page.$$eval('.note', (notes) => notes.map((n) => n.textContent))).toEqual(['No task has completed yet: the table is empty.']);
    await page.close();
    await dropDatabase(target);
  });

  it('a script without the nonce does not run (the CSP holds)', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({ postMessage: () => undefined });
    });
    const html = resultsHtml({ nonce: 'abc', cspSource: 'https://webview.invalid' }).replace('</body>', '<script>window.injected = 1;</script></body>');
    await open(page, html);
    // The page's own (nonced) script ran; the injected one did not.
    await page.waitForFunction(() => document.querySelector('#root .note')?.textContent === 'Waiting for results…');
    expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
    await page.close();
  });
});
