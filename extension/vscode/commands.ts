// Every command id in one table (package.json contributes the same ids), and the other names
// package.json shares with the code: context keys and the walkthrough id. No `vscode` import here:
// test/unit/manifest.test.ts reads these tables beside package.json.
export const Commands = {
  showGraph: 'luigiSpanner.showGraph',
  runTask: 'luigiSpanner.runTask',
  rerunFailed: 'luigiSpanner.rerunFailed',
  forceRerun: 'luigiSpanner.forceRerun',
  listTasks: 'luigiSpanner.listTasks',
  doctor: 'luigiSpanner.doctor',
  showWalkthrough: 'luigiSpanner.showWalkthrough',
  openSample: 'luigiSpanner.openSample',
  runTaskWithDownstream: 'luigiSpanner.runTaskWithDownstream',
  goToTask: 'luigiSpanner.goToTask',
  refreshTasks: 'luigiSpanner.refreshTasks',
  /** Rows a task wrote, from Luigi Runs (a run's task) or the Tasks view (the last run's database). */
  previewTaskRows: 'luigiSpanner.previewTaskRows',
} as const;

/** Arguments of commands invoked from a CodeLens or the graph. */
export interface TaskCommandArgs {
  file: string;
  task: string;
  taskId?: string;
}

/**
 * Context keys this extension sets: package.json `when` clauses and the walkthrough's `onContext:`
 * completion events read them.
 */
export const ContextKeys = {
  /** The active editor's file defines Luigi tasks (editor-title graph button; walkthrough "open a pipeline"). */
  fileHasTasks: 'luigiSpanner.fileHasTasks',
  /** The emulator answers (walkthrough "start the emulator"). */
  emulatorReady: 'luigiSpanner.emulatorReady',
  /** A run finished in this window, whatever its outcome (walkthrough "run a task"). */
  hasRun: 'luigiSpanner.hasRun',
  /** Doctor found a Docker engine or the emulator binary (walkthrough prerequisite). */
  emulatorBackendOk: 'luigiSpanner.doctor.emulatorBackendOk',
  /** Doctor found Python with luigi and google-cloud-spanner (walkthrough prerequisite). */
  pythonOk: 'luigiSpanner.doctor.pythonOk',
} as const;

/** package.json `contributes.walkthroughs[0].id`. */
export const WALKTHROUGH_ID = 'luigiSpanner.firstSession';
