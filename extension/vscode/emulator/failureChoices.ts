// When the emulator cannot start, the notification offers what fixes it, not just "Show Log":
// use the installed emulator binary, name another image, build the image from the installed
// binaries (with progress), or run Doctor. Which choices fit an error is decided by
// emulatorFailureChoices (no `vscode`, unit-tested); offerEmulatorFailureChoices acts on them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { findEmulatorBinary } from '../../../emulator/src/binary';
import { dockerImageExists } from '../../../emulator/src/docker';
import { describeError } from '../../core/errors';
import { Commands } from '../commands';
import { emulatorImageSetting, updateEmulatorSetting } from '../settings';
import { emulatorFailureChoices, LOCAL_IMAGE, type FailureChoice } from './choices';

export interface FailureContext {
  /** What failed, for the message: "Luigi: LoadOrders did not start". */
  title: string;
  error: unknown;
  /** The workspace folder whose settings a choice changes. */
  folder: vscode.Uri | undefined;
  /** Runs the failed action again after a choice changed a setting or built the image. */
  retry?: () => Promise<unknown>;
  log: vscode.LogOutputChannel;
  /** Where build-image.sh ships (the extension's root). */
  extensionRoot: vscode.Uri;
}

// Short: a notification shows four buttons on one line and cuts longer labels.
const LABELS: Record<FailureChoice, string> = {
  useBinary: 'Use Binary',
  buildImage: 'Build Image',
  setImage: 'Set Image…',
  doctor: 'Doctor',
  showLog: 'Show Log',
};

/** What each choice does, said in the message so the short buttons are understood. */
const EXPLAINED: Partial<Record<FailureChoice, string>> = {
  useBinary: 'Use Binary runs the installed emulator binary instead',
  setImage: 'Set Image names one this machine has',
  buildImage: 'Build Image makes luigi-spanner/emulator:local from the installed binaries',
};

/** Shows the failure with its choices and carries out the one picked. */
export async function offerEmulatorFailureChoices(context: FailureContext): Promise<void> {
  const { message, fix } = describeError(context.error);
  const code = (context.error as { code?: string }).code;
  const script = buildScript(context.extensionRoot);
  const choices = emulatorFailureChoices(code, { binaryInstalled: findEmulatorBinary() !== undefined, canBuildImage: script !== undefined && findEmulatorBinary() !== undefined });
  context.log.error(`${context.title}: ${message}${fix ? ` — fix: ${fix}` : ''}`);
  // A notification shows no `detail`: the advice goes into the message; the buttons carry it out.
  const explained = choices.map((c) => EXPLAINED[c]).filter(Boolean);
  const advice = explained.length ? ` ${explained.join('; ')}.` : fix ? ` Fix: ${fix}` : '';
  // The engine's own words (an HTTP 500 naming the registry host) stay in the log: the notification says what it means.
  const said = code === 'IMAGE_MISSING' ? message.replace(/\s*\(.*\)\.?\s*$/s, '.') : message;
  const picked = await vscode.window.showErrorMessage(`${context.title}: ${said}${advice}`, ...choices.map((c) => LABELS[c]));
  const choice = choices.find((c) => LABELS[c] === picked);
  if (!choice) return;
  // In a window of several folders the setting goes to one folder's settings: say which.
  const where = context.folder && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? ` for folder ${vscode.workspace.getWorkspaceFolder(context.folder)?.name ?? context.folder.fsPath}` : '';
  switch (choice) {
    case 'useBinary':
      await updateEmulatorSetting(context.folder, 'emulator.backend', 'binary');
      void vscode.window.showInformationMessage(`Luigi Spanner: the emulator now runs from the installed binary (setting luigiSpanner.emulator.backend = binary${where}).`);
      await context.retry?.();
      return;
    case 'setImage': {
      const suggestion = (await dockerImageExists(LOCAL_IMAGE).catch(() => false)) ? LOCAL_IMAGE : emulatorImageSetting(context.folder) ?? LOCAL_IMAGE;
      const image = await vscode.window.showInputBox({
        title: 'Emulator image (luigiSpanner.emulator.image)',
        prompt: 'A local image tag or one your registry serves; empty goes back to the official image',
        value: suggestion,
        ignoreFocusOut: true,
      });
      if (image === undefined) return;
      await updateEmulatorSetting(context.folder, 'emulator.image', image.trim() || undefined);
      await context.retry?.();
      return;
    }
    case 'buildImage': {
      const built = await buildImage(script!, context.log);
      if (!built) return;
      await updateEmulatorSetting(context.folder, 'emulator.image', LOCAL_IMAGE);
      void vscode.window.showInformationMessage(`Luigi Spanner: built ${LOCAL_IMAGE} and set luigiSpanner.emulator.image to it${where}.`);
      await context.retry?.();
      return;
    }
    case 'doctor':
      await vscode.commands.executeCommand(Commands.doctor);
      return;
    case 'showLog':
      context.log.show(true);
      return;
  }
}

function buildScript(root: vscode.Uri): string | undefined {
  const script = path.join(root.fsPath, 'emulator', 'build-image.sh');
  return existsSync(script) ? script : undefined;
}

/** Runs build-image.sh with its output in the log and its steps in a progress notification. */
async function buildImage(script: string, log: vscode.LogOutputChannel): Promise<boolean> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Building ${LOCAL_IMAGE} from the installed emulator binaries`, cancellable: true },
    (progress, token) =>
      new Promise<boolean>((resolve) => {
        const child = spawn('bash', [script, LOCAL_IMAGE], { stdio: ['ignore', 'pipe', 'pipe'] });
        const cancel = token.onCancellationRequested(() => child.kill('SIGTERM'));
        const tail: string[] = [];
        const onData = (chunk: Buffer) => {
          for (const line of chunk.toString('utf8').split(/\r?\n/).filter((l) => l.trim())) {
            log.info(`build-image: ${line}`);
            tail.push(line);
            if (tail.length > 5) tail.shift();
            progress.report({ message: line.slice(0, 120) });
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (error) => {
          cancel.dispose();
          void vscode.window.showErrorMessage(`Luigi Spanner: could not run ${script}: ${error.message}`);
          resolve(false);
        });
        child.on('close', (code) => {
          cancel.dispose();
          if (code === 0) return resolve(true);
          if (!token.isCancellationRequested) {
            void vscode.window.showErrorMessage(`Luigi Spanner: building the image failed (exit ${code}): ${tail.join(' | ')}`, 'Show Log').then((c) => c && log.show(true));
          }
          resolve(false);
        });
      }),
  );
}
