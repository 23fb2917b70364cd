// The commits run() makes, in order along every path (branches, loops, with blocks): LS003
// reads the split commits, LS011 the commits that a later yield restarts. Computed once per
// task and shared.
import type { ClassModel, FunctionScope } from '../python/file-model';
import type { SyntaxNode } from '../../python/syntax';
import type { PythonContext } from './python-context';

export interface CommitSequence {
  /** Commits after another on the same path, or inside a loop, in the order found. */
  split: Array<{ node: SyntaxNode; inLoop: boolean; first?: SyntaxNode }>;
  /** Commits that a later yield in run() follows. */
  beforeYield: Set<SyntaxNode>;
}

/** The task classes whose run() is checked (not wrappers and external tasks), with run(). */
export function checkedRuns(ctx: PythonContext): Array<{ cls: ClassModel; run: FunctionScope }> {
  const runs: Array<{ cls: ClassModel; run: FunctionScope }> = [];
  for (const cls of ctx.tasks) {
    const context = ctx.spanner.contextOf(cls)!;
    const run = cls.methods.get('run');
    if (run && context.kind !== 'wrapper' && context.kind !== 'external') runs.push({ cls, run });
  }
  return runs;
}

export function commitSequence(ctx: PythonContext, cls: ClassModel, run: FunctionScope): CommitSequence {
  return ctx.memo(`commitSequence:${cls.node.from}`, () => computeCommitSequence(ctx, run));
}

interface State {
  commits: SyntaxNode[];
}

function computeCommitSequence(ctx: PythonContext, run: FunctionScope): CommitSequence {
  const { spanner, model } = ctx;
  const result: CommitSequence = { split: [], beforeYield: new Set() };
  const splitFlagged = new Set<SyntaxNode>();
  const commitEvents = (statement: SyntaxNode): SyntaxNode[] => {
    const events: SyntaxNode[] = [];
    for (const call of run.calls) {
      if (call.node.from < statement.from || call.node.to > statement.to) continue;
      if (model.enclosingScope(call.node) !== run) continue;
      if (spanner.commitKind(call, run) || spanner.resolveCall(call, run).some((r) => spanner.commits(r.target))) events.push(call.node);
    }
    return events.sort((a, b) => a.from - b.from);
  };
  const yieldsIn = (statement: SyntaxNode) => run.yields.some((y) => y.from >= statement.from && y.to <= statement.to && model.enclosingScope(y) === run);

  const onCommit = (node: SyntaxNode, state: State, inLoop: boolean, report: boolean) => {
    if (report && !splitFlagged.has(node)) {
      if (inLoop) {
        splitFlagged.add(node);
        result.split.push({ node, inLoop: true });
      } else if (state.commits.length > 0) {
        splitFlagged.add(node);
        result.split.push({ node, inLoop: false, first: state.commits[0]! });
      }
    }
    state.commits = [...state.commits, node];
  };

  // Returns the state after the statements, or undefined when every path leaves (return/raise).
  const walk = (body: SyntaxNode, incoming: State, inLoop: boolean, report: boolean): State | undefined => {
    // Each branch gets its own copy: commits on one path are not "before" those on another.
    let state: State | undefined = { commits: [...incoming.commits] };
    for (let statement = body.firstChild; statement && state; statement = statement.nextSibling) state = step(statement, state, inLoop, report);
    return state;
  };
  const merge = (states: Array<State | undefined>): State | undefined => {
    const live = states.filter((s): s is State => !!s);
    if (!live.length) return undefined;
    return { commits: [...new Set(live.flatMap((s) => s.commits))].sort((a, b) => a.from - b.from) };
  };
  const step = (statement: SyntaxNode, state: State, inLoop: boolean, report: boolean): State | undefined => {
    const bodies = statement.getChildren('Body');
    switch (statement.name) {
      case 'FunctionDefinition':
      case 'ClassDefinition':
      case 'DecoratedStatement':
        return state;
      case 'ReturnStatement':
      case 'RaiseStatement':
        for (const node of commitEvents(statement)) onCommit(node, state, inLoop, report);
        return undefined;
      case 'IfStatement': {
        for (const node of commitEvents(conditionPart(statement))) onCommit(node, state, inLoop, report);
        const results = bodies.map((b) => walk(b, state, inLoop, report));
        const hasElse = statement.getChild('else') !== null;
        return merge(hasElse ? results : [...results, state]);
      }
      case 'TryStatement': {
        const [tryBody, ...rest] = bodies;
        const afterTry = tryBody ? walk(tryBody, state, inLoop, report) : state;
        const handlers = rest.map((b) => (b === statement.lastChild && statement.getChild('finally') ? undefined : walk(b, state, inLoop, report)));
        return merge([afterTry, ...handlers.filter((h) => h !== undefined)]) ?? (afterTry ? afterTry : undefined);
      }
      case 'ForStatement':
      case 'WhileStatement': {
        for (const node of commitEvents(conditionPart(statement))) onCommit(node, state, inLoop, report);
        const body = bodies[0];
        if (!body) return state;
        const once = walk(body, state, true, report) ?? state;
        // A second pass finds yields that follow a commit of the previous iteration.
        const twice = walk(body, once, true, false) ?? once;
        for (const extra of bodies.slice(1)) walk(extra, twice, inLoop, report);
        return merge([state, twice]);
      }
      case 'WithStatement': {
        for (const node of commitEvents(conditionPart(statement))) onCommit(node, state, inLoop, report);
        const after = bodies[0] ? walk(bodies[0], state, inLoop, report) : state;
        const commit = spanner.withCommit(statement, run);
        if (after && commit) onCommit(commit, after, inLoop, report);
        return after;
      }
      default: {
        if (yieldsIn(statement)) for (const c of state.commits) result.beforeYield.add(c);
        for (const node of commitEvents(statement)) onCommit(node, state, inLoop, report);
        return state;
      }
    }
  };
  if (run.body) walk(run.body, { commits: [] }, false, true);
  return result;
}

/** The header of a compound statement (up to its first Body) as a pseudo-node range. */
function conditionPart(statement: SyntaxNode): SyntaxNode {
  const body = statement.getChild('Body');
  return body ? ({ from: statement.from, to: body.from } as SyntaxNode) : statement;
}
