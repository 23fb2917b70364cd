// Every command id in one table (package.json contributes the same ids).
export const Commands = {
  showGraph: 'luigiSpanner.showGraph',
  runTask: 'luigiSpanner.runTask',
  rerunFailed: 'luigiSpanner.rerunFailed',
  forceRerun: 'luigiSpanner.forceRerun',
  listTasks: 'luigiSpanner.listTasks',
  doctor: 'luigiSpanner.doctor',
} as const;

/** Arguments of commands invoked from a CodeLens or the graph. */
export interface TaskCommandArgs {
  file: string;
  task: string;
  taskId?: string;
}
