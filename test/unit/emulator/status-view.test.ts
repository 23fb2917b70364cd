// The emulator's status-bar item for the current folder (extension/vscode/emulator/statusView.ts):
// in a window of several folders it names the folder it shows, and its tooltip gives that folder's
// database, project and instance, emulator name, backend and port, beside the running emulator.
import { describe, expect, test } from 'vitest';
import type { EmulatorSnapshot } from '../../../emulator/src/controller';
import type { WorkspaceSettings } from '../../../extension/core/settings';
import { emulatorStatusView } from '../../../extension/vscode/emulator/statusView';

const settings = (over: Partial<WorkspaceSettings> = {}): WorkspaceSettings => ({
  backend: 'auto',
  image: 'img',
  projectId: 'luigi-spanner-local',
  instanceId: 'local',
  databaseId: 'billing-1a2b3c',
  faultInjection: false,
  name: 'default',
  grpcPort: 0,
  markerTable: 'LuigiTaskMarkers',
  workspace: '/work/billing',
  ...over,
});
const ready: EmulatorSnapshot = {
  state: 'ready',
  startedHere: false,
  running: { backend: 'docker', host: '127.0.0.1:40123', handle: 'c1', reused: true, faultInjection: false, name: 'default' },
};

describe('emulatorStatusView', () => {
  test('one folder: the item reads as before, the tooltip names the database and the emulator it would start', () => {
    const view = emulatorStatusView({ snapshot: { state: 'stopped', startedHere: false }, settings: settings() });
    expect(view.text).toBe('$(circle-slash) Spanner');
    expect(view.tooltip).toContain('**Spanner emulator: stopped**');
    expect(view.tooltip).toContain('database `billing-1a2b3c` in `luigi-spanner-local/local`');
    expect(view.tooltip).toContain('emulator `default`: backend auto, a free port');
    expect(view.tooltip).not.toContain('folder');
  });

  test("several folders: the item and the tooltip name the current folder, its settings and port", () => {
    const view = emulatorStatusView({
      snapshot: ready,
      settings: settings({ projectId: 'billing-project', instanceId: 'billing', databaseId: 'billing-db', backend: 'docker', grpcPort: 9011, name: 'billing', configFile: '/work/billing/luigi-spanner.json' }),
      folderName: 'billing',
    });
    expect(view.text).toBe('$(database) Spanner: billing');
    expect(view.tooltip).toContain('**Spanner emulator: ready** — folder `billing`');
    expect(view.tooltip).toContain('docker at `127.0.0.1:40123`');
    expect(view.tooltip).toContain('database `billing-db` in `billing-project/billing`');
    expect(view.tooltip).toContain('emulator `billing`: backend docker, port 9011 (luigi-spanner.json)');
  });

  test('a folder whose settings do not resolve says why; an error says its fix; Markdown in them is escaped', () => {
    const view = emulatorStatusView({
      snapshot: { state: 'error', startedHere: false, error: { message: 'Image *x* missing', fix: 'docker pull x' } },
      settings: undefined,
      settingsError: 'Invalid database id "Bad_DB".',
      folderName: 'broken',
    });
    expect(view.text).toBe('$(error) Spanner: broken');
    expect(view.tooltip).toContain('settings: Invalid database id "Bad\\_DB"\\.');
    expect(view.tooltip).toContain('Image \\*x\\* missing\nFix: docker pull x');
  });
});
