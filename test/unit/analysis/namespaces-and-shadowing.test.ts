// Two Python rules that real repositories lean on, seen as false errors on googleapis/python-spanner
// (546 unresolved-import warnings and 3 inheritance-cycle errors before they were followed):
// - a namespace package (a folder without __init__.py, PEP 420) has portions installed elsewhere:
//   google/cloud/spanner_v1 in the workspace, google.protobuf and google.cloud.client installed;
// - `class X(X)` extends the X bound before the class statement (an import), not itself;
// - a module with a module-level __getattr__ (PEP 562 lazy imports, as the standard library's
//   unittest does for IsolatedAsyncioTestCase) or that writes through globals() (re's flags) may
//   answer any name, and every module has its dunders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GraphJson } from '../../../extension/core/analysis/types';
import { indexWorkspace } from '../../../extension/core/analysis/workspace-files';

let work: string;
let graph: GraphJson;

function write(file: string, lines: string[]): void {
  mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
  writeFileSync(path.join(work, file), `${lines.join('\n')}\n`);
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'namespaces-'));
  // As in python-spanner: google/ and google/cloud/ are namespace folders.
  write('google/cloud/spanner_v1/__init__.py', ['from google.cloud.spanner_v1.client import Client']);
  write('google/cloud/spanner_v1/client.py', [
    'from google.protobuf import struct_pb2  # installed: another portion of google',
    'from google.cloud.client import ClientWithProject  # installed: another portion of google.cloud',
    'import google.auth.credentials',
    '',
    '',
    'class Client(ClientWithProject):',
    '    pass',
  ]);
  // A regular package: what it lacks is missing (it has no other portions).
  write('pipelines/__init__.py', []);
  write('pipelines/base.py', [
    'import luigi',
    'from luigi_spanner import SpannerTask',
    'from pipelines import not_there',
    '',
    '',
    '# A team base class named like the library one it extends.',
    'class SpannerTask(SpannerTask):',
    '    retry_count = 3',
  ]);
  write('pipelines/loads.py', [
    'from unittest import TestCase',
    'from pipelines.base import SpannerTask',
    '',
    '',
    'class TestCase(TestCase):  # as tests/unit/_async/test_client.py does with IsolatedAsyncioTestCase',
    '    pass',
    '',
    '',
    'class LoadOrders(SpannerTask):',
    '    target_table = "Orders"',
  ]);
  write('lazy/__init__.py', [
    'def __getattr__(name):',
    '    import importlib',
    '    return getattr(importlib.import_module("lazy._impl"), name)',
  ]);
  write('flags.py', [
    'import enum',
    'class Flag(enum.IntFlag):',
    '    A = 1',
    'globals().update(Flag.__members__)',
  ]);
  write('uses_lazy.py', [
    'from flags import A',
    'from lazy import HeavyThing',
    'from pipelines import __doc__ as pipelines_doc',
    'import lazy',
    '',
    '',
    'class Uses(lazy.OtherThing):',
    '    pass',
  ]);
  graph = indexWorkspace(work).index.graph();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const diagnostics = (file: string) => graph.diagnostics.filter((d) => d.file === file).map((d) => [d.line, d.code]);

describe('namespace packages', () => {
  test('modules a namespace folder lacks are installed portions, not errors', () => {
    expect(diagnostics('google/cloud/spanner_v1/client.py')).toEqual([]);
    expect(diagnostics('google/cloud/spanner_v1/__init__.py')).toEqual([]);
  });

  test('a regular package still reports what it lacks', () => {
    expect(diagnostics('pipelines/base.py')).toEqual([[3, 'unresolved-import']]);
  });
});

describe('names a module answers without defining them', () => {
  test('a module-level __getattr__, a write through globals() and the module dunders are no unresolved imports or bases', () => {
    expect(diagnostics('uses_lazy.py')).toEqual([]);
  });
});

describe('a class extending the class of its own name', () => {
  test('is not a cycle: the base is the name bound before it', () => {
    expect(graph.diagnostics.filter((d) => d.code === 'inheritance-cycle')).toEqual([]);
  });

  test('a task through a same-named base is still a Spanner task', () => {
    expect(graph.tasks.map((t) => t.id).sort()).toEqual(['pipelines.base.SpannerTask', 'pipelines.loads.LoadOrders']);
    const load = graph.tasks.find((t) => t.id === 'pipelines.loads.LoadOrders');
    expect(load?.outputs.map((o) => o.target)).toEqual(['SpannerMarkerTarget']);
    expect(load?.tables).toEqual(['Orders']);
  });
});
