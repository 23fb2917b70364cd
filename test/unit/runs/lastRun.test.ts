// The last run's database: recorded per workspace by launchRun, read by Inspect and Query in the
// editor and the CLI, and only while the emulator that holds it still runs.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseInspectDatabase, describeDatabaseChoice, readLastRun, recordLastRun } from '../../../extension/core/runs/lastRun';
import { runDoctor } from '../../../extension/core/doctor';

const env = () => ({ ...process.env, LUIGI_SPANNER_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'lastrun-')) });

describe('last run', () => {
  it('is recorded per workspace and read back; another workspace has none', () => {
    const e = env();
    recordLastRun({ workspace: '/ws/orders', databaseId: 'run-abc-1', task: 'LoadOrders', emulator: { handle: 'c1', host: '127.0.0.1:1' } }, e);
    expect(readLastRun('/ws/orders', e)).toMatchObject({ databaseId: 'run-abc-1', task: 'LoadOrders', emulator: { handle: 'c1' } });
    expect(readLastRun('/ws/shop', e)).toBeUndefined();
    recordLastRun({ workspace: '/ws/orders', databaseId: 'run-abc-2', task: 'Report', emulator: { handle: 'c1', host: '127.0.0.1:1' } }, e);
    expect(readLastRun('/ws/orders', e)?.databaseId).toBe('run-abc-2');
  });

  it("Inspect reads --database, else the last run's database on the running emulator, else the workspace's", () => {
    const lastRun = { workspace: '/ws', databaseId: 'run-x-1', task: 'LoadOrders', startedAt: '2026-12-05T10:00:00Z', emulator: { handle: 'c1', host: 'h' } };
    expect(chooseInspectDatabase({ explicit: 'mine', workspaceDatabase: 'ws-1', lastRun, running: { handle: 'c1' } })).toEqual({ databaseId: 'mine', source: 'explicit' });
    const last = chooseInspectDatabase({ workspaceDatabase: 'ws-1', lastRun, running: { handle: 'c1' } });
    expect(last).toMatchObject({ databaseId: 'run-x-1', source: 'lastRun' });
    expect(describeDatabaseChoice(last)).toMatch(/^run-x-1 \(last run: LoadOrders, /);
    const restarted = chooseInspectDatabase({ workspaceDatabase: 'ws-1', lastRun, running: { handle: 'c2' } });
    expect(restarted).toMatchObject({ databaseId: 'ws-1', source: 'workspace', lastRunGone: true });
    expect(describeDatabaseChoice(restarted)).toBe("ws-1 (workspace); the last run's database run-x-1 went with the emulator it ran on");
    expect(describeDatabaseChoice(chooseInspectDatabase({ workspaceDatabase: 'ws-1' }))).toBe('ws-1 (workspace)');
  });
});

describe('Doctor for extension users', () => {
  it('gives settings, not repository scripts or exports, and hides test-only checks', async () => {
    const checks = await runDoctor({ audience: 'editor', python: '/nonexistent/python3', settings: () => ({ image: 'example.invalid/emulator:none' }) });
    expect(checks.map((c) => c.id)).not.toContain('chromium');
    for (const check of checks) expect(check.fix ?? '', check.id).not.toMatch(/npm run|build-image\.sh|export |LUIGI_SPANNER_/);
    expect(checks.find((c) => c.id === 'python')!.fix).toMatch(/luigiSpanner\.pythonPath/);
    expect(checks.find((c) => c.id === 'emulatorImage')!.fix).toMatch(/luigiSpanner\.emulator\.image/);
    // Settings of a workspace folder: a passed check that names the folder as the editor calls it.
    const named = await runDoctor({
      audience: 'editor',
      python: '/nonexistent/python3',
      workspaceName: 'billing',
      settings: () => ({ image: 'example.invalid/emulator:none', workspace: '/work/billing', databaseId: 'billing-db', projectId: 'p', instanceId: 'i', name: 'default', backend: 'docker', grpcPort: 9011 }),
    });
    expect(named[0]).toEqual({ id: 'settings', name: 'Workspace settings', ok: true, detail: 'billing: database billing-db in p/i; emulator "default" (docker, port 9011); no luigi-spanner.json' });
    const cli = await runDoctor({ python: '/nonexistent/python3', settings: () => ({ image: 'example.invalid/emulator:none' }) });
    expect(cli.map((c) => c.id)).toContain('chromium');
  });
});

describe('runtime findings named in words', () => {
  it('names each kind with its code, counting repeats', async () => {
    const { findingsInWords } = await import('../../../extension/core/debugger/explain');
    expect(findingsInWords([{ code: 'LS204' }, { code: 'LS201' }])).toBe('partial results (LS204) and duplicate insert (LS201)');
    expect(findingsInWords([{ code: 'LS201' }, { code: 'LS201' }])).toBe('2× duplicate insert (LS201)');
    expect(findingsInWords([{ code: 'LS202' }, { code: 'LS203' }, { code: 'LS204' }])).toBe('abort storm (LS202), commit timestamp without the column option (LS203) and partial results (LS204)');
  });
});

describe('the last run named explicitly', () => {
  it("is still presented as the last run's database", () => {
    const lastRun = { workspace: '/ws', databaseId: 'run-x-1', task: 'LoadOrders', startedAt: '2026-12-05T10:00:00Z', emulator: { handle: 'c1', host: 'h' } };
    expect(chooseInspectDatabase({ explicit: 'run-x-1', workspaceDatabase: 'ws-1', lastRun, running: { handle: 'c1' } })).toMatchObject({ databaseId: 'run-x-1', source: 'lastRun' });
  });
});
