// The duplicate-insert debugger in a real VS Code, on the broken twin whose chunked plain inserts
// replay on rerun: Reproduce Rerun (cursor in LoadOrders) kills a run after its first commit,
// reruns it, reports the task NOT rerun-safe, puts LS201/LS204 in the Problems view, and Explain
// opens the finding in the Markdown preview. Then the emulator's status bar item and Inspect.
import { describe, expect, test } from 'vitest';
import { codeLensText, pipelineRunEnv, sessionForSuite } from './harness';

describe('debugger in code-server', () => {
  const session = sessionForSuite({ sample: 'broken/plain_insert_replay', env: pipelineRunEnv() });

  test('Reproduce Rerun reports LoadOrders unsafe, with LS201 and LS204 in Problems, and Explain shows the finding', async () => {
    await session().openFile('pipeline.py');
    // The lenses prove the extension active (its commands are in the palette from then on).
    await expect.poll(async () => (await session().codeLensesAboveClass('LoadOrders')).some((text) => codeLensText('Run').test(text)), { timeout: 60_000 }).toBe(true);
    // The command takes the task under the cursor: the find widget leaves it on the class line.
    await session().revealInEditor('class LoadOrders');
    await session().runCommand('Luigi Spanner: Reproduce Rerun (prove a task rerun-safe)');
    // LoadOrders has one parameter without a default.
    const input = session().page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    await input.fill('2024-03-01');
    await session().page.keyboard.press('Enter');

    const verdict = session().notification(/LoadOrders is NOT rerun-safe/);
    await verdict.waitFor({ timeout: 180_000 });
    expect(await verdict.innerText()).toMatch(/LS201/);

    await session().runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const problems = session().page.locator('.markers-panel .monaco-list-row');
    await expect.poll(async () => (await problems.allInnerTexts()).join('\n'), { timeout: 30_000 }).toMatch(/LS201/);
    expect((await problems.allInnerTexts()).join('\n')).toMatch(/LS204/);

    // The toast's Explain button does the same; the toast may be gone by now (focus moved to Problems).
    await session().runCommand('Luigi Spanner: Explain Runtime Finding');
    // Two findings: Explain asks which.
    const items = await session().waitForQuickPick('Explain a runtime finding');
    expect(items.map((i) => i.label.split(' ')[0]).sort()).toEqual(['LS201', 'LS204']);
    await session().page.locator('.quick-input-list .monaco-list-row', { hasText: 'LS201' }).first().click();
    const preview = session().webviewFrame('vscode.markdown-language-features');
    await preview.locator('body', { hasText: 'ALREADY_EXISTS' }).waitFor({ timeout: 60_000 });
    expect(await preview.locator('body').innerText()).toMatch(/Orders/);
    await session().screenshot('debugger-explain');
  });

  test('one diagnostic per bug: the static LS002/LS003 carry the runtime findings, Explain is among their quick fixes, and its source links open the line', async () => {
    // The reproduction above published LS201 (line 64) and LS204 (line 63): each merged into the
    // static diagnostic of its line, so each line has one problem.
    await session().runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const rows = session().page.locator('.markers-panel .monaco-list-row');
    // A problem's row starts with its message; its related information rows start with their file.
    const onLine = async (line: number) => (await rows.allInnerTexts()).filter((t) => t.includes(`[Ln ${line}, Col`) && !t.trimStart().startsWith('pipeline.py'));
    await expect.poll(async () => (await rows.allInnerTexts()).join('\n'), { timeout: 30_000 }).toMatch(/Confirmed at runtime/);
    const line64 = await onLine(64);
    expect(line64).toHaveLength(1);
    expect(line64[0]).toMatch(/LS002/);
    expect(line64[0]).toMatch(/duplicate insert \(LS201\)/);
    const line63 = await onLine(63);
    expect(line63).toHaveLength(1);
    expect(line63[0]).toMatch(/partial results \(LS204\)/);
    expect(line63[0]).toMatch(/\bLS003\b/);
    // The evidence travels as related information: the writer's run and update id.
    expect((await rows.allInnerTexts()).join('\n')).toMatch(/written by LoadOrders\(batch=2024-03-01[^)]*\) \(run \S+, update id LoadOrders_2024_03_01_\w+/);
    await session().screenshot('debugger-merged-diagnostic');

    // The quick fixes of the merged diagnostic: the server's own, and Explain.
    // A double click on the problem puts the editor's cursor on it.
    await rows.filter({ hasText: 'Plain insert into Orders' }).first().dblclick();
    const position = session().page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
    // It selects the diagnostic's range (the call's name): the status bar shows its end.
    await expect.poll(async () => /Ln (\d+)/.exec(await position.innerText())?.[1], { timeout: 10_000 }).toBe('64');
    // The double click may leave the focus in Problems, whose own Ctrl+. is another menu: the
    // editor takes it (Ctrl+1, Focus First Editor Group: its selection kept), then its quick fixes.
    // Ctrl+. once in a few runs opens nothing (seen in CI and locally: the lightbulb shown, no
    // menu), so the menu is asked for again, up to three times, with the editor focused afresh.
    const explain = session().page.locator('.action-widget .monaco-list-row', { hasText: 'Explain LS201 (seen at runtime)' });
    for (let attempt = 1; ; attempt++) {
      await session().page.keyboard.press('Control+1');
      await session().page.locator('.editor-group-container .monaco-editor.focused').first().waitFor({ timeout: 10_000 });
      expect(/Ln (\d+)/.exec(await position.innerText())?.[1]).toBe('64');
      await session().page.keyboard.press('Control+.');
      const shown = await explain.waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 }).then(() => true, (error) => {
        if (attempt >= 3) throw error;
        return false;
      });
      if (shown) break;
      console.warn(`Ctrl+. showed no Explain (attempt ${attempt}); asking again`);
      // A menu without Explain is closed; with nothing open, Escape would drop the selection.
      if (await session().page.locator('.action-widget').isVisible()) await session().page.keyboard.press('Escape');
    }
    await session().screenshot('debugger-merged-quick-fixes');
    await explain.click();
    const preview = session().webviewFrame('vscode.markdown-language-features');
    await preview.locator('h1', { hasText: 'LS201 Duplicate insert' }).waitFor({ timeout: 60_000 });
    // The writer's update id is filled in the "Who wrote it" table.
    expect(await preview.locator('table').last().innerText()).toMatch(/LoadOrders_2024_03_01_\w+/);
    // A source place is a link that opens the file at its line: the cursor moves from the
    // problem's range to the line's start.
    await preview.locator('a', { hasText: 'pipeline.py:64' }).first().click();
    await expect.poll(async () => /Ln (\d+), Col (\d+)/.exec(await position.innerText())?.slice(1).join(':'), { timeout: 15_000 }).toBe('64:1');
    await session().page.locator('.tabs-container .tab.active[data-resource-name="pipeline.py"]').waitFor({ timeout: 10_000 });
    await session().screenshot('debugger-explain-link-opened');
  });

  test('the Spanner status bar offers the emulator actions; Start migrates the workspace database, and Inspect lists its tables', async () => {
    const item = session().page.locator('.statusbar-item', { hasText: 'Spanner' }).first();
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    // Stopped: Start; ready (Reproduce started it): Stop, Reset, Query, Inspect. Logs either way.
    const actions = (await session().waitForQuickPick(/Spanner emulator: /)).map((a) => a.label).join(' | ');
    expect(actions).toMatch(/Start|Stop/);
    expect(actions).toMatch(/Open emulator logs/);
    await session().page.keyboard.press('Escape');
    // Start finds the running emulator (or starts one) and applies the workspace's migrations/ to its database.
    await session().runCommand('Luigi Spanner: Start Emulator');
    await session().notification(/Spanner emulator (started|found running)/).waitFor({ timeout: 120_000 });
    await item.locator('.codicon-database').waitFor({ timeout: 30_000 });
    await session().runCommand('Luigi Spanner: Inspect Emulator Database (Tables, Migrations, Markers)');
    const panel = session().webviewFrame();
    await panel.locator('body', { hasText: '0001_orders' }).waitFor({ timeout: 60_000 });
    expect(await panel.locator('body').innerText()).toMatch(/\bOrders\b/);
    await session().screenshot('emulator-inspect');
  });
});
