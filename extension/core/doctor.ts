// Prerequisite checks shared by `luigi-spanner doctor` and the editor's Doctor command.
import { existsSync } from 'node:fs';
import { findEmulatorBinary } from '../../emulator/src/binary';
import { dockerImageExists, isDockerAvailable } from '../../emulator/src/docker';
import { resolveSettings, type EmulatorSettings } from '../../emulator/src/settings';
import { describeError } from './errors';
import { installCommand, probePython, resolvePython } from './python/interpreter';

/** Stable ids: the editor's walkthrough turns the result of some checks into steps. */
export type CheckId = 'settings' | 'docker' | 'emulatorImage' | 'emulatorBinary' | 'python' | 'luigi' | 'spanner' | 'luigiSpanner' | 'chromium';

/** The fix of each check, in one place (the CLI, the Doctor quick pick and the walkthrough show them). */
export const DOCTOR_FIXES = {
  docker: 'Start Docker Desktop, or: sudo apt-get install docker.io && sudo dockerd &',
  emulatorBinary: 'gcloud components install cloud-spanner-emulator (or apt-get install google-cloud-cli-spanner-emulator)',
  python: 'npm run setup (creates the managed venv), or set LUIGI_SPANNER_PYTHON / luigiSpanner.pythonPath',
  chromium: 'sudo apt-get install chromium',
} as const;

/**
 * Who reads the fixes. `cli`: a terminal in a clone of the repository (scripts, exports, npm).
 * `editor`: an extension user, who has settings and commands, no repository scripts; test-only
 * checks (Chromium) are not shown to them.
 */
export type DoctorAudience = 'cli' | 'editor';

/** The editor's fixes where they differ from the terminal's: settings, not scripts or exports. */
export const EDITOR_FIXES = {
  emulatorImage: (image: string) =>
    `Pull it when a registry is reachable (docker pull ${image}); offline, set the setting luigiSpanner.emulator.backend to "binary" to use the installed emulator binary, ` +
    'or set luigiSpanner.emulator.image to an image this machine has (a failed start offers "Build Image", which builds luigi-spanner/emulator:local from the installed binaries).',
  python:
    'Set the setting luigiSpanner.pythonPath to an interpreter with luigi and google-cloud-spanner, or leave it empty: the first run creates a managed environment with both.',
  pip: (python: string, packages: string) => `Install into the interpreter runs use: ${python} -m pip install ${packages} (or leave luigiSpanner.pythonPath empty for the managed environment).`,
} as const;

export interface Check {
  id: CheckId;
  name: string;
  ok: boolean;
  detail: string;
  /** The command or change that fixes it, when not ok. */
  fix?: string;
  /** Missing but not needed for everything (e.g. Chromium is for the tests only). */
  optional?: boolean;
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export interface DoctorOptions {
  python?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The workspace's resolved settings (core/settings.ts); a bad luigi-spanner.json becomes a failed
   * check. Settings of a workspace (with `workspace` and `databaseId`) are reported as a passed check
   * that names the folder, its database and emulator, so a report says whose settings it checked.
   */
  settings?: () => DoctorSettings;
  /** How the report names the workspace (the editor: the folder's name); its path when omitted. */
  workspaceName?: string;
  /** Whose words the fixes use; `cli` unless told. The editor also hides test-only checks. */
  audience?: DoctorAudience;
}

export type DoctorSettings = Pick<EmulatorSettings, 'image'> & Partial<EmulatorSettings> & { configFile?: string };

/**
 * `/work/orders: database orders-3fa2c1 in luigi-spanner-local/local; emulator "default" (auto, a free port); luigi-spanner.json`.
 * `where` names the workspace in place of its path (the editor gives the folder's name).
 */
export function describeWorkspaceSettings(s: DoctorSettings, where = s.workspace): string | undefined {
  if (!s.databaseId || !where) return undefined;
  const port = s.grpcPort ? `port ${s.grpcPort}` : 'a free port';
  const source = s.configFile ? 'luigi-spanner.json' : 'no luigi-spanner.json';
  return `${where}: database ${s.databaseId} in ${s.projectId}/${s.instanceId}; emulator "${s.name ?? 'default'}" (${s.backend ?? 'auto'}, ${port}); ${source}`;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<Check[]> {
  const env = options.env ?? process.env;
  const editor = options.audience === 'editor';
  const checks: Check[] = [];
  let settings: DoctorSettings | undefined;
  try {
    settings = options.settings?.();
    const described = settings && describeWorkspaceSettings(settings, options.workspaceName);
    if (described) checks.push({ id: 'settings', name: 'Workspace settings', ok: true, detail: described });
  } catch (error) {
    const { message, fix } = describeError(error);
    checks.push({ id: 'settings', name: 'Workspace settings', ok: false, detail: message, fix: fix ?? 'Fix luigi-spanner.json or the flags.' });
  }
  const docker = await isDockerAvailable();
  checks.push({
    id: 'docker',
    name: 'Docker engine',
    ok: docker,
    detail: docker ? 'answers' : 'no engine answers',
    fix: DOCTOR_FIXES.docker,
  });
  const image = settings?.image ?? resolveSettings({}, env).image;
  let imagePresent = false;
  if (docker) imagePresent = await dockerImageExists(image).catch(() => false);
  const binary = findEmulatorBinary(env);
  checks.push({
    id: 'emulatorImage',
    name: 'Emulator image',
    ok: imagePresent,
    detail: imagePresent ? image : `${image} not present locally (pulled on first start when a registry is reachable)`,
    fix: editor ? EDITOR_FIXES.emulatorImage(image) : `docker pull ${image}, or offline: emulator/build-image.sh && export LUIGI_SPANNER_EMULATOR_IMAGE=luigi-spanner/emulator:local`,
    optional: !docker,
  });
  checks.push({
    id: 'emulatorBinary',
    name: 'Emulator binary',
    ok: Boolean(binary),
    detail: binary ?? 'not installed (fallback backend)',
    fix: DOCTOR_FIXES.emulatorBinary,
    optional: true,
  });
  const python = resolvePython(options.python, env);
  const probe = python ? await probePython(python) : undefined;
  const pythonOk = Boolean(probe && !probe.error);
  checks.push({
    id: 'python',
    name: 'Python',
    ok: pythonOk,
    detail: pythonOk ? `${probe!.version} at ${python}` : python ? `${python}: ${probe?.error}` : 'no interpreter chosen and no managed venv',
    fix: editor ? EDITOR_FIXES.python : DOCTOR_FIXES.python,
  });
  checks.push({
    id: 'luigi',
    name: 'luigi',
    ok: Boolean(probe?.luigi),
    detail: probe?.luigi ?? 'not importable',
    fix: editor ? EDITOR_FIXES.pip(python ?? 'python', 'luigi==3.8.1') : `${python ?? 'python'} -m pip install luigi==3.8.1 (or npm run setup)`,
  });
  checks.push({
    id: 'spanner',
    name: 'google-cloud-spanner',
    ok: Boolean(probe?.spanner),
    detail: probe?.spanner ?? 'not importable',
    fix: editor ? EDITOR_FIXES.pip(python ?? 'python', 'google-cloud-spanner==3.71.0') : `${python ?? 'python'} -m pip install google-cloud-spanner==3.71.0 (or npm run setup)`,
  });
  // Runs start `python -m luigi_spanner.runner`: without the package no run can start.
  checks.push({
    id: 'luigiSpanner',
    name: 'luigi-spanner (Python package)',
    ok: Boolean(probe?.luigiSpanner),
    detail: probe?.luigiSpanner ?? 'not installed',
    fix: editor ? `${installCommand(python ?? 'python')} (or leave luigiSpanner.pythonPath empty: the managed environment has it)` : `${installCommand(python ?? 'python')} (or npm run setup)`,
  });
  // Chromium only serves this repository's browser tests: nothing an extension user needs.
  const chromium = editor ? undefined : CHROMIUM_CANDIDATES.find((c) => existsSync(c));
  if (!editor) checks.push({
    id: 'chromium',
    name: 'Chromium (tests only)',
    ok: Boolean(chromium),
    detail: chromium ?? 'not found',
    fix: DOCTOR_FIXES.chromium,
    optional: true,
  });
  // An emulator backend must exist one way or the other.
  if (!docker && !binary) {
    checks.find((c) => c.id === 'docker')!.fix += ' — or install the emulator binary (gcloud components install cloud-spanner-emulator).';
  }
  return checks;
}
