// What a user sees of the listing and the first session, in the packaged extension: the vsix
// carries the icon, license, walkthrough pages and sample (and not the CLI); the Extensions view
// shows the entry with its icon, name and description; "Get Started" opens the walkthrough, and
// its steps tick themselves off on the real events (a pipeline opened, the graph shown), not before.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { sessionForSuite, TEST_RESULTS_DIR } from './harness';

const WALKTHROUGH_TITLE = 'Get Started with Luigi Spanner';

describe('listing and walkthrough in code-server', () => {
  const session = sessionForSuite({ sample: 'orders' });

  /** The walkthrough's step button (title row), by the step's own id in package.json. */
  const step = (id: string) => session().page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);

  test('the installed extension carries its icon, license, walkthrough pages and sample, not the CLI', () => {
    const dir = session().installedExtensionDir();
    for (const file of ['LICENSE.txt', 'dist/media/icon.png', 'media/walkthrough/prerequisites.md', 'media/walkthrough/graph.svg', 'samples/orders/pipeline.py']) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    expect(existsSync(path.join(dir, 'dist', 'cli.js'))).toBe(false);
    expect(existsSync(path.join(dir, 'dist', 'commands'))).toBe(false);
  });

  test('the Extensions view lists it with its icon, name and description', async () => {
    const { page } = session();
    await session().runCommand('Extensions: Show Installed Extensions');
    const entry = page.locator('.extensions-viewlet .extension-list-item', { has: page.locator('.name', { hasText: /^Luigi Spanner$/ }) }).first();
    await entry.waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => entry.locator('.description').innerText()).toMatch(/Luigi pipelines on Cloud Spanner/);
    // The icon is the packaged PNG, loaded (not the default placeholder).
    const icon = entry.locator('img.icon');
    await expect.poll(() => icon.getAttribute('src')).toMatch(/icon\.png/);
    await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThanOrEqual(128);
    await entry.screenshot({ path: path.join(TEST_RESULTS_DIR, 'e2e-extensions-entry.png') });
    await session().screenshot('extensions-view');
  });

  test('Get Started opens the walkthrough; opening a pipeline and showing the graph complete their steps', async () => {
    const { page } = session();
    await session().runCommand('Luigi Spanner: Get Started');
    await page.locator('.gettingStartedContainer', { hasText: WALKTHROUGH_TITLE }).first().waitFor({ state: 'visible', timeout: 60_000 });
    for (const title of ['Check prerequisites', 'Start the emulator', 'Open the sample, or your own pipeline', 'Show the graph', 'Run a task', 'Read a finding']) {
      await expect.poll(() => page.locator('button.getting-started-step h3', { hasText: title }).count(), { message: title }).toBeGreaterThan(0);
    }
    // Nothing is done before the user does it.
    for (const id of ['showGraph', 'runTask', 'openPipeline']) expect(await step(id).getAttribute('aria-checked'), id).toBe('false');
    await session().screenshot('walkthrough');

    // Open a file with tasks: the "open a pipeline" step completes on luigiSpanner.fileHasTasks.
    await session().openFile('pipeline.py');
    await session().runCommand('Luigi Spanner: Get Started');
    await expect.poll(() => step('openPipeline').getAttribute('aria-checked'), { timeout: 30_000 }).toBe('true');

    // Expand "Show the graph" and press its button, as a user would.
    await step('showGraph').click();
    const button = page.locator('.step-description-container[x-step-description-for$="#showGraph"] .monaco-button', { hasText: 'Show Pipeline Graph' });
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    await button.click();
    await session().webviewFrame().locator('text=LoadOrders').first().waitFor({ timeout: 60_000 });

    await session().runCommand('Luigi Spanner: Get Started');
    await expect.poll(() => step('showGraph').getAttribute('aria-checked'), { timeout: 30_000 }).toBe('true');
    // A run has not happened: its step stays open.
    expect(await step('runTask').getAttribute('aria-checked')).toBe('false');
    await session().screenshot('walkthrough-step-done');
  });
});
