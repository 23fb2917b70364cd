import { describe, expect, it } from 'vitest';
import { FamilyStateTracker, RunOverlay } from '../../../extension/core/runs/familyStates';
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

describe('RunOverlay', () => {
  const A = 'file:///work/timewin';
  const B = 'file:///work/replay';

  it("shows a run's states only on its own folder's graph, and gives them back on return", () => {
    const overlay = new RunOverlay(B);
    expect(overlay.startRun(B)).toEqual({ reset: true });
    expect(overlay.update('OrdersExport_1', 'OrdersExport', 'done')).toEqual({ byFamily: { OrdersExport: { done: 1 } } });
    // The view turns to the other folder, whose OrdersExport never ran: nothing of the run there.
    expect(overlay.show(A)).toEqual({ reset: true });
    expect(overlay.update('AllBatches_1', 'AllBatches', 'running')).toBeUndefined();
    expect(overlay.show(A)).toBeUndefined();
    // Back on the run's folder: everything so far, the states that came meanwhile included.
    expect(overlay.show(B)).toEqual({ reset: true, byFamily: { OrdersExport: { done: 1 }, AllBatches: { running: 1 } } });
  });

  it('a new run in another folder clears the last one everywhere', () => {
    const overlay = new RunOverlay(A);
    overlay.startRun(A);
    overlay.update('LoadOrders_1', 'LoadOrders', 'done');
    expect(overlay.startRun(B)).toEqual({ reset: true });
    expect(overlay.update('LoadOrders_2', 'LoadOrders', 'running')).toBeUndefined();
    expect(overlay.show(B)).toEqual({ reset: true, byFamily: { LoadOrders: { running: 1 } } });
    expect(overlay.show(A)).toEqual({ reset: true });
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
