// What the emulator's status-bar item says for the current folder: its text and its tooltip (the
// state, which folder's settings it shows in a window of several, the emulator, the folder's
// database, project and instance, backend and port). Plain data (no `vscode`): index.ts puts it on
// the item, and the unit tests read it.
import type { EmulatorSnapshot } from '../../../emulator/src/controller';
import type { WorkspaceSettings } from '../../core/settings';

const STATE_ICON: Record<EmulatorSnapshot['state'], string> = {
  stopped: '$(circle-slash)',
  starting: '$(sync~spin)',
  ready: '$(database)',
  error: '$(error)',
};

export interface StatusViewInput {
  snapshot: EmulatorSnapshot;
  /** The current folder's settings; undefined when they do not resolve (the error then shows). */
  settings: WorkspaceSettings | undefined;
  /** Why the settings do not resolve (a broken luigi-spanner.json). */
  settingsError?: string;
  /** The current folder's name, given only when the window has several (the item then names it). */
  folderName?: string;
}

export interface StatusView {
  text: string;
  /** Markdown; command links are added by the caller. */
  tooltip: string;
}

/** Escapes text for a Markdown tooltip. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function emulatorStatusView({ snapshot: s, settings, settingsError, folderName }: StatusViewInput): StatusView {
  const text = `${STATE_ICON[s.state]} Spanner${folderName ? `: ${folderName}` : ''}`;
  const lines: string[] = [`**Spanner emulator: ${s.state}**${folderName ? ` — folder ${code(folderName)}` : ''}`];
  if (s.running) lines.push(`${s.running.backend} at ${code(s.running.host)}${s.running.faultInjection ? ' (fault injection)' : ''}`);
  if (settings) {
    lines.push(`database ${code(settings.databaseId)} in ${code(`${settings.projectId}/${settings.instanceId}`)}`);
    // What a Start here would start (or find): the folder's emulator name, backend and port.
    const port = settings.grpcPort ? `port ${settings.grpcPort}` : 'a free port';
    lines.push(`emulator ${code(settings.name)}: backend ${settings.backend}, ${port}${settings.configFile ? ' (luigi-spanner.json)' : ''}`);
  } else if (settingsError) {
    lines.push(`settings: ${markdownText(settingsError)}`);
  }
  if (s.error) lines.push(markdownText(`${s.error.message}${s.error.fix ? `\nFix: ${s.error.fix}` : ''}`));
  return { text, tooltip: lines.join('\n\n') };
}
