// A multi-root window (issue #16) in a real VS Code: a `.code-workspace` of two broken samples, each
// with settings of its own (timewin: luigi-spanner.json; replay: its folder's .vscode/settings.json,
// resource-scoped settings that only a folder can give). Both folders' diagnostics and tasks show;
// the graph of a file in the second folder is that folder's; the Doctor checks the active editor's
// folder (or asks when no editor is active) and names it; the emulator's status bar follows the
// active editor; a run in the second folder writes that folder's database.
import { describe, expect, test } from 'vitest';
import { pipelineRunEnv, sessionForSuite } from './harness';

const TIMEWIN = { databaseId: 'timewin-db', instanceId: 'timewin' };
const REPLAY = { databaseId: 'replay-db', instanceId: 'replay' };

describe('a multi-root workspace in code-server', () => {
  const session = sessionForSuite({
    sample: 'multiroot',
    folders: [
      { sample: 'broken/time_window', name: 'timewin', files: { 'luigi-spanner.json': JSON.stringify(TIMEWIN) } },
      {
        sample: 'broken/plain_insert_replay',
        name: 'replay',
        files: {
          '.vscode/settings.json': JSON.stringify({
            'luigiSpanner.spanner.databaseId': REPLAY.databaseId,
            'luigiSpanner.spanner.instanceId': REPLAY.instanceId,
            // Runs in this folder keep the folder's database (no fresh run-* one): the run below writes replay-db.
            'luigiSpanner.run.keepState': true,
          }),
        },
      },
    ],
    env: pipelineRunEnv(),
  });
  const statusItem = () => session().page.locator('.statusbar-item', { hasText: 'Spanner' }).first();

  test("both folders' diagnostics and tasks show: Problems has each folder's findings, the Tasks view a node per folder", async () => {
    await session().openFile('timewin/pipeline.py');
    await session().waitForCodeLens('Run');
    await session().openFile('replay/pipeline.py');
    await session().waitForCodeLens('Run');
    await session().runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const problems = session().page.locator('.markers-panel .monaco-list-row');
    // LS004 (time windows) only in timewin's pipeline, LS002 (plain insert) only in replay's.
    await expect.poll(async () => (await problems.allInnerTexts()).join('\n'), { timeout: 60_000 }).toMatch(/LS004/);
    await expect.poll(async () => (await problems.allInnerTexts()).join('\n'), { timeout: 60_000 }).toMatch(/LS002/);
    await session().screenshot('multiroot-problems');

    await session().runCommand('Luigi Spanner: Focus on Tasks View');
    const pane = session().page.locator('.pane', { has: session().page.locator('.pane-header', { hasText: /^\s*Tasks/ }) });
    const rows = pane.locator('.monaco-list-row');
    const texts = async () => (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    await expect.poll(texts, { timeout: 30_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^timewin ?\d+ tasks/), expect.stringMatching(/^replay ?\d+ tasks/)]));
    const all = (await texts()).join('\n');
    expect(all).toMatch(/IngestOrders/);
    expect(all).toMatch(/AllBatches/);
    await session().screenshot('multiroot-tasks-view');
  });

  test("the graph of a file in the second folder shows that folder's tasks", async () => {
    await session().runCommand('View: Close All Editors');
    await session().openFile('replay/pipeline.py');
    await session().runCommand('Luigi Spanner: Show Pipeline Graph');
    const graph = session().webviewFrame();
    await graph.locator('g.node', { hasText: 'AllBatches' }).first().waitFor({ timeout: 60_000 });
    expect(await graph.locator('g.node', { hasText: 'LoadOrders' }).count()).toBeGreaterThan(0);
    // timewin's tasks are not in it.
    expect(await graph.locator('g.node', { hasText: 'IngestOrders' }).count()).toBe(0);
    expect(await graph.locator('g.node', { hasText: 'HourlyRevenue' }).count()).toBe(0);
    await session().screenshot('multiroot-graph-folder-2');
    await session().runCommand('View: Close All Editors');
  });

  test("the Doctor checks the active editor's folder and names it; without an editor it asks which folder", async () => {
    await session().openFile('replay/pipeline.py');
    await session().runCommand('Luigi Spanner: Check Prerequisites (Doctor)');
    const checks = await session().waitForQuickPick(/Luigi Spanner Doctor \(replay\)/);
    const settings = checks.find((c) => c.label === 'Workspace settings');
    expect(settings?.description).toMatch(new RegExp(`^replay: database ${REPLAY.databaseId} in luigi-spanner-local/${REPLAY.instanceId};`));
    await session().screenshot('multiroot-doctor-folder-2');
    await session().page.keyboard.press('Escape');

    await session().runCommand('View: Close All Editors');
    await session().runCommand('Luigi Spanner: Check Prerequisites (Doctor)');
    const pick = session().page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'timewin' });
    await pick.first().waitFor({ timeout: 30_000 });
    expect(await session().page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'replay' }).count()).toBe(1);
    await session().screenshot('multiroot-doctor-asks-folder');
    await pick.first().click();
    const timewin = await session().waitForQuickPick(/Luigi Spanner Doctor \(timewin\)/);
    expect(timewin.find((c) => c.label === 'Workspace settings')?.description).toMatch(
      new RegExp(`^timewin: database ${TIMEWIN.databaseId} in luigi-spanner-local/${TIMEWIN.instanceId}; .*; luigi-spanner\\.json$`),
    );
    await session().page.keyboard.press('Escape');
  });

  test("the emulator's status bar follows the active editor's folder, with that folder's database", async () => {
    await session().openFile('timewin/pipeline.py');
    await expect.poll(async () => (await statusItem().innerText()).trim(), { timeout: 15_000 }).toMatch(/Spanner: timewin$/);
    await session().runCommand('Luigi Spanner: Emulator Status');
    await session().notification(new RegExp(`Spanner emulator of folder timewin \\w+.*; database ${TIMEWIN.databaseId}\\.`)).waitFor({ timeout: 30_000 });
    await session().openFile('replay/pipeline.py');
    await expect.poll(async () => (await statusItem().innerText()).trim(), { timeout: 15_000 }).toMatch(/Spanner: replay$/);
    await session().runCommand('Luigi Spanner: Emulator Status');
    await session().notification(new RegExp(`Spanner emulator of folder replay \\w+.*; database ${REPLAY.databaseId}\\.`)).waitFor({ timeout: 30_000 });
    await session().screenshot('multiroot-status-bar-folder-2');
  });

  test("a run in the second folder uses that folder's database; the status bar and Inspect show it there", async () => {
    await session().runCommand('Notifications: Clear All Notifications');
    await session().openFile('replay/pipeline.py');
    // AllBatches has defaults for every parameter: no prompt; it loads both batches.
    await session().clickCodeLens('AllBatches', 'Run');
    const done = session().notification(new RegExp(`AllBatches SUCCESS .*in database ${REPLAY.databaseId}\\.`));
    await done.waitFor({ timeout: 240_000 });
    await statusItem().locator('.codicon-database').waitFor({ timeout: 15_000 });
    expect((await statusItem().innerText()).trim()).toMatch(/Spanner: replay$/);
    // The rows are in replay's database (in its instance): Inspect reads the folder's last run's.
    await session().runCommand('Luigi Spanner: Inspect Emulator Database (Tables, Migrations, Markers)');
    const panel = session().webviewFrame();
    await panel.locator('h1', { hasText: REPLAY.databaseId }).waitFor({ timeout: 60_000 });
    expect(await panel.locator('h1').innerText()).toMatch(/of folder replay/);
    const orders = panel.locator('tr', { has: panel.locator('td', { hasText: /^Orders$/ }) }).first().locator('td').nth(1);
    expect(Number(await orders.innerText())).toBeGreaterThan(0);
    await session().screenshot('multiroot-run-folder-2-inspect');
    // The Tasks view shows the run's states on replay's tasks only: timewin's OrdersExport (the same name) never ran.
    await session().runCommand('Luigi Spanner: Focus on Tasks View');
    const rows = session().page.locator('.pane', { has: session().page.locator('.pane-header', { hasText: /^\s*Tasks/ }) }).locator('.monaco-list-row');
    const texts = async () => (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    await expect.poll(texts, { timeout: 30_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^AllBatches ?wrapper · succeeded$/)]));
    const list = await texts();
    const [timewinAt, replayAt] = [list.findIndex((t) => /^timewin ?\d/.test(t)), list.findIndex((t) => /^replay ?\d/.test(t))];
    expect(timewinAt).toBeLessThan(replayAt);
    expect(list.slice(timewinAt, replayAt).filter((t) => /succeeded|complete|failed/.test(t))).toEqual([]);
    expect(list.slice(replayAt)).toEqual(expect.arrayContaining([expect.stringMatching(/^OrdersExport ?external · complete$/)]));

    // timewin's side: the same emulator, its own database, which the run never touched.
    await session().runCommand('View: Close All Editors');
    await session().openFile('timewin/pipeline.py');
    await expect.poll(async () => (await statusItem().innerText()).trim(), { timeout: 15_000 }).toMatch(/Spanner: timewin$/);
    await session().runCommand('Luigi Spanner: Emulator Status');
    await session().notification(new RegExp(`Spanner emulator of folder timewin ready: .*; database ${TIMEWIN.databaseId}\\.`)).waitFor({ timeout: 30_000 });
    await session().screenshot('multiroot-status-bar-folder-1-ready');
  });

  test("the run's states are drawn on its own folder's graph only, and again on return to it", async () => {
    const nodeClass = async (name: string) => (await session().webviewFrame().locator('g.node', { hasText: name }).first().getAttribute('class')) ?? '';
    // timewin's file is active (the test above): its graph, whose OrdersExport shares the name of
    // replay's that ran, shows nothing of replay's run.
    await session().runCommand('Luigi Spanner: Show Pipeline Graph');
    await session().webviewFrame().locator('g.node', { hasText: 'IngestOrders' }).first().waitFor({ timeout: 60_000 });
    expect(await nodeClass('OrdersExport')).not.toMatch(/\bs-/);
    await session().screenshot('multiroot-graph-folder-1-no-run-states');
    // Back on replay's graph, the run's states are there again.
    await session().runCommand('View: Close All Editors');
    await session().openFile('replay/pipeline.py');
    await session().runCommand('Luigi Spanner: Show Pipeline Graph');
    await expect.poll(() => nodeClass('AllBatches'), { timeout: 60_000 }).toMatch(/\bs-done\b/);
    await session().screenshot('multiroot-graph-folder-2-run-states');
  });
});
