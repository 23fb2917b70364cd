// The duplicate-insert debugger: runtime findings (LS201-LS204) from runs, rerun reproduction and
// chaos runs. Pure Node (no `vscode`): the CLI and the editor call the same functions.
export * from './types';
export { analyzeRuns, findingsOfRun, parseDuplicateMessage, sameValue, ruleDocs, STATIC_RULES, GRPC, COMMIT_TIMESTAMP_SENTINEL, DEFAULT_ABORT_THRESHOLD, type AnalysisContext } from './findings';
export { SpannerReader, type TableSchema, type ColumnInfo, type MarkerRow } from './database';
export { reproduceRerun, FIRST_RUN_LABEL, RERUN_LABEL, type ReproduceRequest, type ReproduceResult, type ReproduceVerdict, type ReproducedRun } from './reproduce';
export { chaosRuns, type ChaosRequest, type ChaosReport, type ChaosAttempt, type ChaosTableReport, type ChaosTaskReport } from './chaos';
export { buildTimeline, formatTimeline, describeEnd, type TimelineEntry } from './timeline';
export { snapshotTables, diffSnapshots, type TableSnapshot, type TableDiff } from './snapshot';
export { RUNNER_ENV, SCRATCH_PLACEHOLDER, parseEnvPairs, type PipelineRequest } from './runs';
export { relativeFile, absoluteFile, findColumnDefinition, nextMigrationName, clearSourceCache } from './source';
export { explainMarkdown, findingsInWords, formatFinding, RUNTIME_TITLES } from './explain';
export { confirms, mergeFindings, confirmationSuffix, runtimeEvidence, type StaticSpan, type MergePlan } from './merge';
