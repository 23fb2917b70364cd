// Public API of the analysis core: static Luigi pipeline graphs from Python source,
// without importing or running it. Pure Node; no `vscode` import anywhere below.
export type { EdgeKind, GraphDiagnostic, GraphJson, Severity, TaskEdge, TaskKind, TaskNode, TaskOutput, TaskParam } from './types';
export { parsePython, LineIndex, type SyntaxNode, Tree } from './python-parser';
export { extractModuleFacts, type ClassFacts, type ModuleFacts, type MethodFacts, type ImportBinding } from './module-facts';
export { moduleNameOf, type Resolution } from './resolver';
export { WorkspaceIndex, type WorkspaceIndexOptions } from './workspace-index';
export {
  findPythonFiles,
  indexWorkspace,
  indexWorkspaceParallel,
  readPythonSource,
  MAX_FILE_BYTES,
  type IndexWorkspaceOptions,
  type ParallelIndexOptions,
  type IndexedWorkspace,
} from './workspace-files';
export { FACTS_WORKER_DATA, serveFactsRequests } from './facts-worker';
export { FactsCache, defaultCacheFolder } from './facts-cache';
export { toDot, toMermaid } from './render';
