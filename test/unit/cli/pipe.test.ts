// Output through a pipe arrives whole: the CLI ends itself (the Spanner client keeps the process
// alive otherwise), and it used to do so before a pipe's reader had taken more than 64-128 KiB.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let cli: string;
let workspace: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cli-pipe-'));
  cli = await buildCli(path.join(work, 'dist'));
  // 3,000 tasks in 30 modules: about 1.7 MB of graph JSON.
  workspace = path.join(work, 'ws');
  mkdirSync(workspace);
  for (let file = 0; file < 30; file++) {
    let text = 'import luigi\n';
    for (let i = 0; i < 100; i++) {
      const n = file * 100 + i;
      text += `\nclass Task${n}(luigi.Task):\n    day = luigi.DateParameter()\n\n    def requires(self):\n        return Task${Math.max(n - 1, 0)}(day=self.day)\n\n    def output(self):\n        return luigi.LocalTarget('out/${n}.txt')\n`;
    }
    writeFileSync(path.join(workspace, `mod${file}.py`), text);
  }
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Piped {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with stdout on a pipe whose reader takes a chunk only every `pauseMs`. */
function runIntoSlowReader(args: string[], pauseMs: number, stopAfterBytes = Infinity): Promise<Piped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: workspace, env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') } });
    const chunks: Buffer[] = [];
    let received = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.pause();
    void (async () => {
      // Let the writer fill the pipe first, then read with pauses between chunks.
      await sleep(300);
      for await (const chunk of child.stdout) {
        chunks.push(chunk as Buffer);
        received += (chunk as Buffer).length;
        if (received >= stopAfterBytes) {
          child.stdout.destroy();
          break;
        }
        await sleep(pauseMs);
      }
    })().catch(reject);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString('utf8'), stderr }));
  });
}

describe('CLI output through a pipe', () => {
  it('graph --format json: more than 1 MiB reaches a slow reader whole, exit 0', async () => {
    const run = await runIntoSlowReader(['graph', '.', '--format', 'json', '--no-cache'], 5);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(Buffer.byteLength(run.stdout)).toBeGreaterThan(1024 * 1024);
    const graph = JSON.parse(run.stdout) as { tasks: Array<{ name: string }>; edges: unknown[] };
    expect(graph.tasks).toHaveLength(3000);
    expect(graph.tasks.map((t) => t.name)).toContain('Task2999');
  });

  it('a reader that stops early ends the command quietly (no EPIPE stack trace)', async () => {
    const run = await runIntoSlowReader(['graph', '.', '--format', 'json', '--no-cache'], 0, 1);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});
