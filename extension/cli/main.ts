// `luigi-spanner`: the CLI face of the same pure modules the extension uses.
// Each command lives in ./commands/<name>.ts and registers itself on the program.
import { Command } from 'commander';
import { describeError } from '../core/errors';
import { registerChaosCommand } from './commands/chaos';
import { registerDemoCommand } from './commands/demo';
import { registerDoctorCommand } from './commands/doctor';
import { registerEmulatorCommand } from './commands/emulator';
import { registerGraphCommand } from './commands/graph';
import { registerReproduceCommand } from './commands/reproduce';
import { registerLintCommand } from './commands/lint';
import { registerRunCommand } from './commands/run';
import { version } from '../../package.json';

const program = new Command()
  .name('luigi-spanner')
  .description('Luigi pipelines on Cloud Spanner: task graphs, lint, runs against a local emulator.')
  .version(version, '-v, --version')
  .showHelpAfterError();

registerEmulatorCommand(program);
registerGraphCommand(program);
registerLintCommand(program);
registerRunCommand(program);
registerReproduceCommand(program);
registerChaosCommand(program);
registerDoctorCommand(program);
registerDemoCommand(program);

// The Spanner client installs SIGINT/SIGTERM handlers that keep the process alive: exit explicitly.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

program
  .parseAsync(process.argv)
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((error: unknown) => {
    const { message, fix } = describeError(error);
    process.stderr.write(`error: ${message}\n`);
    if (fix) process.stderr.write(`fix:   ${fix}\n`);
    process.exit(typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : 2);
  });
