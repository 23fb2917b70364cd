import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULER_PORT, parseScheduler } from '../../../extension/core/runs/launch';
import { runnerArgs } from '../../../extension/core/runs/runPipeline';
import { RUNNER_MODULE } from '../../../extension/shared/contract';

describe('the central scheduler option (--scheduler, luigiSpanner.run.scheduler)', () => {
  it('reads HOST:PORT, HOST alone and [IPv6]:PORT; empty means the local scheduler', () => {
    expect(parseScheduler('127.0.0.1:8090')).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseScheduler(' luigid.internal ')).toEqual({ host: 'luigid.internal', port: DEFAULT_SCHEDULER_PORT });
    expect(parseScheduler('[::1]:8082')).toEqual({ host: '::1', port: 8082 });
    expect(parseScheduler('')).toBeUndefined();
    expect(parseScheduler(undefined)).toBeUndefined();
  });

  it.each(['http://luigid:8082', 'luigid:port', 'luigid:70000', 'a b:1', ':8082'])('refuses %s, saying what to write', (value) => {
    expect(() => parseScheduler(value)).toThrow(expect.objectContaining({ code: 'BAD_SCHEDULER', fix: expect.stringContaining('127.0.0.1:8082') }));
  });

  it('hands it to the runner, which python -m starts from the installed package', () => {
    const args = runnerArgs({ python: 'python3', file: '/p/pipeline.py', task: 'AllReports', env: {}, scheduler: { host: '127.0.0.1', port: 8090 } });
    expect(args.slice(0, 2)).toEqual(['-m', RUNNER_MODULE]);
    expect(args).toEqual(expect.arrayContaining(['--scheduler-host', '127.0.0.1', '--scheduler-port', '8090']));
    expect(runnerArgs({ python: 'python3', file: '/p/pipeline.py', task: 'T', env: {} })).not.toContain('--scheduler-host');
  });
});
