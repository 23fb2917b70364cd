import type { Command } from 'commander';
import { runDoctor } from '../../core/doctor';
import { printJson, settingsFrom } from '../options';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check every prerequisite and say how to fix what is missing')
    .option('--python <path>', 'interpreter to check instead of the resolved one')
    .option('--image <image>', 'emulator image to check (default: luigi-spanner.json "image", $LUIGI_SPANNER_EMULATOR_IMAGE or the official image)')
    .option('--root <dir>', 'workspace root holding luigi-spanner.json (default: the current folder)')
    .option('--json', 'print the checks as JSON')
    .action(async (options: { python?: string; image?: string; root?: string; json?: boolean }) => {
      const checks = await runDoctor({ python: options.python, settings: () => settingsFrom(options) });
      const failed = checks.filter((c) => !c.ok && !c.optional);
      if (options.json) {
        printJson({ ok: failed.length === 0, checks });
      } else {
        for (const c of checks) {
          const mark = c.ok ? 'ok     ' : c.optional ? 'missing' : 'MISSING';
          console.log(`${mark}  ${c.name.padEnd(22)} ${c.detail}`);
          if (!c.ok) console.log(`         ${''.padEnd(22)} fix: ${c.fix}`);
        }
        console.log(failed.length === 0 ? '\nEverything needed is present.' : `\n${failed.length} required prerequisite(s) missing.`);
      }
      if (failed.length > 0) process.exitCode = 1;
    });
}
