// The rule catalog: codes are a public interface (docs, suppressions, CI), never renumbered.
import type { LintSeverity, RuleCode } from './types';

export interface RuleInfo {
  code: RuleCode;
  /** PascalCase name, as SARIF `reportingDescriptor.name`. */
  name: string;
  /** One line: the problem. */
  title: string;
  /** Two or three sentences: why it hurts and what to do. */
  description: string;
  defaultSeverity: LintSeverity;
}

export const RULES: readonly RuleInfo[] = [
  {
    code: 'LS001',
    name: 'MarkerOutsideDataTransaction',
    title: 'Completion marker outside the data transaction',
    description:
      'The task records completion in a commit other than the one that writes its data. A crash between the two leaves data without a marker, and Luigi runs the task again. Write the marker in the same read-write transaction (luigi_spanner.SpannerTask does).',
    defaultSeverity: 'error',
  },
  {
    code: 'LS002',
    name: 'PlainInsertOnReplayablePath',
    title: 'Plain insert on a replayable path',
    description:
      'A plain insert fails with ALREADY_EXISTS when its commit is replayed: a database.batch() that the client retries, or a task rerun because its marker was not committed with the rows. Commit the marker in the same transaction, or use insert_or_update keyed by natural keys.',
    defaultSeverity: 'error',
  },
  {
    code: 'LS003',
    name: 'SplitCommit',
    title: 'Split commit',
    description:
      'run() commits data more than once, so a failure between commits leaves part of the result visible and the rerun meets it. Commit the task in one transaction, or split it into tasks keyed by an immutable chunk id.',
    defaultSeverity: 'error',
  },
  {
    code: 'LS004',
    name: 'TimeWindowBatching',
    title: 'Time-window batching',
    description:
      'A wall-clock value decides what a task processes or names its batch. The window is still open when the task runs, late rows never count, and the graph depends on when the scheduler runs. Key tasks by the immutable inputs they consume.',
    defaultSeverity: 'warning',
  },
  {
    code: 'LS005',
    name: 'ClientClockTimestamp',
    title: 'Client clock written as a timestamp',
    description:
      "A client's wall clock is written into a timestamp column. Clocks differ between machines and retries; spanner.COMMIT_TIMESTAMP gives the one consistent commit time.",
    defaultSeverity: 'warning',
  },
  {
    code: 'LS006',
    name: 'MutationLimitOverflow',
    title: 'Mutation-limit overflow',
    description:
      'An unbounded number of rows goes into one commit. Spanner rejects commits over 80,000 mutations (rows x columns, index entries included). Bound the chunk, or split the work into tasks keyed by an immutable chunk id.',
    defaultSeverity: 'error',
  },
  {
    code: 'LS007',
    name: 'SideEffectInTransactionFunction',
    title: 'Side effect inside a transaction function',
    description:
      'run_in_transaction calls its function again after every abort, so a side effect inside it (outside state, files, requests, messages) repeats. Do side effects after the transaction returns.',
    defaultSeverity: 'warning',
  },
  {
    code: 'LS008',
    name: 'SchemaChangeInPipeline',
    title: 'Schema change inside a pipeline',
    description:
      'A task changes the schema while it runs. Schema belongs in versioned migrations applied before rollout, not in a task that may run concurrently or twice.',
    defaultSeverity: 'warning',
  },
  {
    code: 'LS009',
    name: 'NoCompletionCheck',
    title: 'No completion check',
    description: 'A task that writes to Spanner defines neither output() nor complete(), so every build runs it again.',
    defaultSeverity: 'warning',
  },
  {
    code: 'LS010',
    name: 'RandomKey',
    title: 'Random key',
    description:
      'A non-deterministic value is written as a row value, so a replay adds new rows silently instead of failing on the old ones. Derive keys from the input (natural keys, or uuid5 of them).',
    defaultSeverity: 'warning',
  },
  {
    code: 'LS011',
    name: 'WriteBeforeDynamicDependency',
    title: 'Write before a dynamic dependency',
    description:
      'run() commits data and then yields dynamic dependencies. Luigi restarts run() from the top after they finish, so the write repeats. Yield all dependencies before writing.',
    defaultSeverity: 'error',
  },
  {
    code: 'LS012',
    name: 'NestedTransaction',
    title: 'Nested transaction',
    description: 'run_in_transaction is called inside a transaction function; the client raises "Spanner does not support nested transactions."',
    defaultSeverity: 'error',
  },
  {
    code: 'LS101',
    name: 'HotspotKey',
    title: 'Hotspot key',
    description:
      'The first primary-key column increases monotonically (a timestamp, a commit timestamp, a sequential number), so every insert lands on the last split. Lead the key with a well-spread column (a hash, a natural id, a bit-reversed sequence).',
    defaultSeverity: 'warning',
  },
  {
    code: 'LS102',
    name: 'CommitTimestampWithoutOption',
    title: 'Commit timestamp without the column option',
    description:
      'Code writes spanner.COMMIT_TIMESTAMP (or PENDING_COMMIT_TIMESTAMP()) into a column whose DDL lacks OPTIONS (allow_commit_timestamp = true); Spanner rejects the commit with FAILED_PRECONDITION.',
    defaultSeverity: 'error',
  },
  {
    code: 'LS103',
    name: 'UnversionedMigration',
    title: 'Unversioned migration',
    description: 'A migration file has no ordered version prefix (0001_name.sql), so the order migrations apply in is undefined; the emulator toolkit refuses it.',
    defaultSeverity: 'error',
  },
  {
    code: 'LS104',
    name: 'HotspotIndex',
    title: 'Hotspot index',
    description: 'The first column of an index is a TIMESTAMP, DATE or commit-timestamp column, so every new index entry lands on the same split.',
    defaultSeverity: 'warning',
  },
];

export const RULES_BY_CODE: ReadonlyMap<RuleCode, RuleInfo> = new Map(RULES.map((r) => [r.code, r]));

export function isRuleCode(value: string): value is RuleCode {
  return RULES_BY_CODE.has(value as RuleCode);
}

/** Where the rule's page lives in the repository. */
export function ruleDocPath(code: RuleCode): string {
  return `docs/rules/${code}.md`;
}

/**
 * Web home of the repository's docs. There is no `repository` field in package.json yet: this is
 * the default, overridable with `--docs-url` or LUIGI_SPANNER_DOCS_URL.
 */
export const DEFAULT_DOCS_BASE_URL = 'https://github.com/luigi-spanner/luigi-spanner/blob/main';

export function ruleHelpUri(code: RuleCode, baseUrl: string = DEFAULT_DOCS_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${ruleDocPath(code)}`;
}
