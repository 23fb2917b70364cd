// The environment of a pipeline process: the one place it is built (startRun calls it for runs,
// reproduce and chaos alike). By default the pipeline inherits everything the tool was started with,
// as any command started from a shell does, with the run's own variables on top. With `minimal`
// it inherits only what an interpreter needs to start, find the user and read text: no cloud
// credentials (GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_*, AWS_*...), no tokens, no proxies.
// The README ("The run's environment") lists both sets; keep it in step.

/** Inherited variables a minimal environment keeps (compared case-insensitively: Windows spells `Path`). */
export const MINIMAL_ENV_KEEP = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  // Luigi's own configuration file (luigi.cfg elsewhere than the working folder).
  'LUIGI_CONFIG_PATH',
  // What Python needs to start on Windows.
  'SYSTEMROOT',
  'SYSTEMDRIVE',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
] as const;

/** Locale categories (LC_ALL, LC_CTYPE, ...) are kept as well. */
const MINIMAL_ENV_KEEP_PREFIX = 'LC_';

const KEEP = new Set<string>(MINIMAL_ENV_KEEP);

export interface PipelineEnvOptions {
  /** Inherit only MINIMAL_ENV_KEEP (and LC_*) instead of the whole environment. */
  minimal?: boolean;
}

/**
 * The pipeline's environment: `inherited` (all of it, or the minimal allow-list) with the run's
 * own variables (`own`: the connection from runEnv, PYTHONUNBUFFERED, runner switches) on top.
 */
export function pipelineEnv(inherited: NodeJS.ProcessEnv, own: Record<string, string>, options: PipelineEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value === undefined) continue;
    if (options.minimal && !keptInMinimal(name)) continue;
    env[name] = value;
  }
  return { ...env, ...own };
}

function keptInMinimal(name: string): boolean {
  const upper = name.toUpperCase();
  return KEEP.has(upper) || upper.startsWith(MINIMAL_ENV_KEEP_PREFIX);
}
