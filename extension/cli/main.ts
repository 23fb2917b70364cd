// `luigi-spanner`: the CLI face of the same pure modules the extension uses.
// Each command lives in ./commands/<name>.ts, built to its own bundle (dist/commands/<name>.js),
// and only the command being run is loaded: start-up stays fast however many commands exist.
import path from 'node:path';
import { Command } from 'commander';
import { describeError } from '../core/errors';
import { exitQuietlyOnClosedPipe, exitWhenFlushed } from './exit';
import { version } from '../../package.json';

/** Command name -> the function its module exports to register it. */
const COMMANDS = {
  emulator: 'registerEmulatorCommand',
  graph: 'registerGraphCommand',
  lint: 'registerLintCommand',
  run: 'registerRunCommand',
  reproduce: 'registerReproduceCommand',
  chaos: 'registerChaosCommand',
  doctor: 'registerDoctorCommand',
  demo: 'registerDemoCommand',
  server: 'registerServerCommand',
} as const;
type CommandName = keyof typeof COMMANDS;

function registerCommand(program: Command, name: CommandName): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(path.join(__dirname, 'commands', `${name}.js`)) as Record<string, (program: Command) => void>;
  module[COMMANDS[name]]!(program);
}

/** The command the arguments name (`luigi-spanner run ...`, `luigi-spanner help run`), if any. */
function requestedCommand(argv: readonly string[]): CommandName | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? (name as CommandName) : undefined;
}

const program = new Command()
  .name('luigi-spanner')
  .description('Luigi pipelines on Cloud Spanner: task graphs, lint, runs against a local emulator.')
  .version(version, '-v, --version')
  .showHelpAfterError()
  // Usage errors (unknown option, bad choice, missing argument) exit 2 like any bad input: 1 means
  // findings (lint --fail-on) or a failed run, and CI must tell them apart (docs/ci.md).
  // Subcommands inherit this; help and --version keep 0.
  .exitOverride((error) => process.exit(error.exitCode === 1 ? 2 : error.exitCode));

const requested = requestedCommand(process.argv);
const onlyVersion = process.argv.length === 3 && ['-v', '--version'].includes(process.argv[2]!);
if (requested) registerCommand(program, requested);
else if (!onlyVersion) for (const name of Object.keys(COMMANDS) as CommandName[]) registerCommand(program, name);

// The Spanner client installs SIGINT/SIGTERM handlers that keep the process alive: the CLI ends
// itself, and only once its output is out (./exit.ts).
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
exitQuietlyOnClosedPipe();

program
  .parseAsync(process.argv)
  .then(() => exitWhenFlushed(typeof process.exitCode === 'number' ? process.exitCode : 0))
  .catch((error: unknown) => {
    const { message, fix } = describeError(error);
    process.stderr.write(`error: ${message}\n`);
    if (fix) process.stderr.write(`fix:   ${fix}\n`);
    exitWhenFlushed(typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : 2);
  });
