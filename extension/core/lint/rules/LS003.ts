// LS003: run() commits data more than once (or once per loop iteration).
import { checkedRuns, commitSequence } from './commit-sequence';
import type { PythonRule } from './rule';

export const LS003: PythonRule = {
  meta: {
    code: 'LS003',
    name: 'SplitCommit',
    title: 'Split commit',
    description:
      'run() commits data more than once, so a failure between commits leaves part of the result visible and the rerun meets it. Commit the task in one transaction, or split it into tasks keyed by an immutable chunk id.',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    for (const { cls, run } of checkedRuns(ctx)) {
      for (const { node, inLoop, first } of commitSequence(ctx, cls, run).split) {
        if (inLoop) {
          ctx.report('LS003', node, `${cls.name}.run() commits inside a loop, one commit per iteration: a failure part-way leaves the first iterations' data visible, and the rerun meets it. Commit the task in one transaction, or make each chunk its own task keyed by an immutable chunk id.`, { cls });
        } else {
          ctx.report('LS003', node, `${cls.name}.run() commits again after the commit on line ${ctx.lines.line(first!.from)}: a failure between them leaves part of the result visible. Commit the task's data (and its marker) in one transaction.`, { cls });
        }
      }
    }
  },
};
