import { describe, expect, it } from 'vitest';
import { FamilyStateTracker } from '../../../extension/core/runs/familyStates';
import { EventLineParser, stateOf, type RunEvent } from '../../../extension/core/runs/events';

describe('FamilyStateTracker', () => {
  it('counts instances of a family by their latest state', () => {
    const tracker = new FamilyStateTracker();
    tracker.update('LoadOrders_a', 'LoadOrders', 'pending');
    tracker.update('LoadOrders_b', 'LoadOrders', 'pending');
    tracker.update('LoadOrders_a', 'LoadOrders', 'running');
    expect(tracker.update('LoadOrders_a', 'LoadOrders', 'done')).toEqual({ LoadOrders: { done: 1, pending: 1 } });
    tracker.reset();
    expect(tracker.counts()).toEqual({});
  });
});

describe('EventLineParser', () => {
  it('keeps only prefixed, valid event lines, across chunk boundaries', () => {
    const events: RunEvent[] = [];
    const noise: string[] = [];
    const parser = new EventLineParser((e) => events.push(e), (l) => noise.push(l));
    const started = JSON.stringify({ type: 'started', time: 1, runId: 'r', id: 'A_1', family: 'A', attempt: 1 });
    parser.push(`@@luigi-spanner@@ ${started.slice(0, 10)}`);
    parser.push(`${started.slice(10)}\nprint from user code\n@@luigi-spanner@@ {"type":"started"}\n@@luigi-spanner@@ not json`);
    parser.end();
    expect(events).toEqual([{ type: 'started', time: 1, runId: 'r', id: 'A_1', family: 'A', attempt: 1 }]);
    expect(noise).toEqual(['print from user code', '@@luigi-spanner@@ {"type":"started"}', '@@luigi-spanner@@ not json']);
  });

  it('maps events to graph states', () => {
    const base = { time: 1, runId: 'r', id: 'A_1', family: 'A' };
    expect(stateOf({ type: 'discovered', ...base, params: {} })).toBe('pending');
    expect(stateOf({ type: 'started', ...base, attempt: 1 })).toBe('running');
    expect(stateOf({ type: 'succeeded', ...base })).toBe('done');
    expect(stateOf({ type: 'complete', ...base })).toBe('skipped');
    expect(stateOf({ type: 'failed', ...base, phase: 'run', message: 'boom' })).toBe('failed');
  });
});
