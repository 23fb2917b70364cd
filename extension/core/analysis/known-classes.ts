// What the analysis knows about code outside the workspace: Luigi's own classes (generated
// from the pinned Luigi, see luigi-classes.py) and the luigi_spanner runtime library this
// project ships (extension/python/luigi_spanner), which workspaces import but do not contain.
import { SPANNER_TASK_BASES } from '../python/spanner-api';
import { LUIGI_PARAMETER_CLASSES, LUIGI_TASK_CLASSES } from './luigi-classes';
import type { TaskKind } from './types';

/** What an installed task base class contributes to the tasks deriving from it. */
export interface LibraryTask {
  kind: TaskKind;
  /** output() it defines, for tasks that do not override it. */
  output?: { target: string; source: string; tableAttribute?: string };
}

// luigi_spanner.SpannerTask: output() is a marker target naming `target_table`.
const SPANNER_TASK: LibraryTask = {
  kind: 'task',
  output: {
    target: 'SpannerMarkerTarget',
    source: 'SpannerMarkerTarget(self.update_id(), target_table=self.target_table)',
    tableAttribute: 'target_table',
  },
};

const LIBRARY_TASKS = new Map<string, LibraryTask>([...SPANNER_TASK_BASES].map((name) => [name, SPANNER_TASK]));

/** A task class defined outside the workspace, by qualified name, e.g. `luigi.WrapperTask`. */
export function libraryTask(qualifiedName: string): LibraryTask | undefined {
  const luigiKind = LUIGI_TASK_CLASSES.get(qualifiedName);
  if (luigiKind) return { kind: luigiKind };
  return LIBRARY_TASKS.get(qualifiedName);
}

/**
 * A module of Luigi's own package, read from the workspace (Luigi's repository, or a vendored
 * copy) instead of site-packages. A project cannot have its own top-level `luigi` package: it
 * would shadow Luigi itself.
 */
export function isLuigiOwnModule(module: string): boolean {
  return module === 'luigi' || module.startsWith('luigi.');
}

export function isLibraryParameterClass(qualifiedName: string): boolean {
  return LUIGI_PARAMETER_CLASSES.has(qualifiedName);
}

/** luigi.util decorators: `requires` defines requires() and copies parameters; `inherits` only copies. */
export const REQUIRES_DECORATORS = new Set(['luigi.util.requires', 'luigi.util.copies']);
export const INHERITS_DECORATORS = new Set(['luigi.util.inherits', 'luigi.util.requires', 'luigi.util.copies']);
