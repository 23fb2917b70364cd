// LS011: run() writes and then yields dynamic dependencies, so Luigi's restart repeats the write.
import { checkedRuns, commitSequence } from './commit-sequence';
import type { PythonRule } from './rule';

export const LS011: PythonRule = {
  meta: {
    code: 'LS011',
    name: 'WriteBeforeDynamicDependency',
    title: 'Write before a dynamic dependency',
    description:
      'run() commits data and then yields dynamic dependencies. Luigi restarts run() from the top after they finish, so the write repeats. Yield all dependencies before writing.',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    for (const { cls, run } of checkedRuns(ctx)) {
      for (const node of commitSequence(ctx, cls, run).beforeYield) {
        ctx.report('LS011', node, `${cls.name}.run() commits here and later yields dynamic dependencies; Luigi restarts run() from the top once they finish, so this write runs again. Yield every dependency before the first write.`, { cls });
      }
    }
  },
};
