// The graph view's message protocol: the only vocabulary the extension host and the webview
// speak over postMessage. Imports neither `vscode` nor the DOM, so both sides (and tests) share it.
// Every method is namespaced; call sites use the constants, never string literals.
// The host validates everything the webview sends (extension/vscode/graph/validate.ts).
import type { GraphJson } from '../core/analysis/types';
import type { LayoutJobSpec } from '../core/graphLayout/elk';
import type { ComponentLayout, GraphSnapshot, OpeningDrawing } from '../core/graphLayout/types';
import type { PackedGraph, PackedLayout } from '../core/graphLayout/wire';

/** Bumped when a message shape changes incompatibly; the webview sends it in `ready`. */
export const PROTOCOL_VERSION = 1;

export type LayoutDirection = 'RIGHT' | 'DOWN' | 'LEFT' | 'UP';
export const LAYOUT_DIRECTIONS: readonly LayoutDirection[] = ['RIGHT', 'DOWN', 'LEFT', 'UP'];

export type RunState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export const RUN_STATES: readonly RunState[] = ['pending', 'running', 'done', 'failed', 'skipped'];

/** Instance counts of one task family (Luigi's `task_family`, the class name unless namespaced). */
export type FamilyRunCounts = Partial<Record<RunState, number>>;

export interface RunStateUpdate {
  /** Drop all states shown so far before applying this update (a new run starts). */
  reset?: boolean;
  /** By graph node id (`TaskNode.id`), e.g. `pipelines.orders.LoadOrders`. */
  byTaskId?: Record<string, RunState>;
  /** By family: `LoadOrders` or `pipelines.orders.LoadOrders`, with instance counts per state. */
  byFamily?: Record<string, FamilyRunCounts>;
}

export interface DiagnosticCounts {
  error: number;
  warning: number;
  info: number;
}

/** What the graph shows: the tasks of one file with everything up- and downstream, or the workspace. */
export type GraphScope = { kind: 'file'; file: string } | { kind: 'workspace' };

// ---------------------------------------------------------------------------------------------
// Host -> webview
// ---------------------------------------------------------------------------------------------

/**
 * Component layouts as the host sends them: plain, or packed into flat arrays (what the host
 * sends: far fewer objects to serialise and clone; core/graphLayout/wire.ts). The webview takes both.
 */
export type WireLayout = ComponentLayout | PackedLayout;

/** Host -> webview, after `ready` and whenever the workspace graph changes (debounced by the host). */
export const GraphLoad = 'graph/load';
export interface GraphLoadMessage {
  method: typeof GraphLoad;
  /** Plain, or with its edges packed as task indices (what the host sends; core/graphLayout/wire.ts). */
  graph: GraphJson | PackedGraph;
  /** Scope requested by the host (a command naming a file); absent keeps the webview's own. */
  scope?: GraphScope;
  /** Select and center this task once laid out (the CodeLens "Show graph" target). */
  revealTaskId?: string;
  /** `open` fits a fresh view; `update` keeps zoom, selection and collapsed groups. */
  reason: 'open' | 'update';
  /**
   * The host can have components laid out by the language server's warm ELK (`layout/run`):
   * the webview then starts its own layout workers only as a fallback.
   */
  layoutService?: boolean;
  /**
   * Component layouts the host fetched from the language server while a new panel loaded, for the
   * view it opens with: the webview starts from these instead of asking (graphPanel.ts).
   */
  layouts?: WireLayout[];
  /**
   * The host is still fetching the layouts of the view a new panel opens with: they follow in a
   * `graph/layouts` message. The webview prepares the graph meanwhile, and waits for that message
   * before it asks for layouts itself.
   */
  layoutsFollow?: boolean;
  /**
   * A big graph's first drawing, cut by the host from the view's layout (only in a new panel's
   * HTML, OPENING_ELEMENT_ID): drawn at once, while the webview prepares the whole graph.
   */
  snapshot?: GraphSnapshot;
  /**
   * A small view's whole drawing, composed by the host from the layouts it holds (only in a new
   * panel's HTML): the webview takes it as the view's visible graph and layout when it opens that
   * view as it was made for, instead of building and assembling them itself.
   */
  drawing?: OpeningDrawing;
}

/** Host -> webview: the layouts announced by `graph/load` `layoutsFollow` (possibly none), once the host has them. */
export const GraphLayouts = 'graph/layouts';
export interface GraphLayoutsMessage {
  method: typeof GraphLayouts;
  layouts: WireLayout[];
}

/** Host -> webview: the active editor moved to another file that defines tasks. */
export const ActiveFile = 'graph/activeFile';
export interface ActiveFileMessage {
  method: typeof ActiveFile;
  file: string;
}

/** Host -> webview: the editor cursor is inside this task's class (null: in none). */
export const CursorTask = 'graph/cursorTask';
export interface CursorTaskMessage {
  method: typeof CursorTask;
  taskId: string | null;
}

/** Host -> webview: run states from a run (issue "runs"); applied on top of earlier updates. */
export const RunStates = 'run/taskStates';
export interface RunStatesMessage {
  method: typeof RunStates;
  update: RunStateUpdate;
}

/** Host -> webview: diagnostic counts per task id from the analyzer; replaces earlier counts. */
export const DiagnosticCountsUpdate = 'graph/diagnosticCounts';
export interface DiagnosticCountsMessage {
  method: typeof DiagnosticCountsUpdate;
  counts: Record<string, DiagnosticCounts>;
}

/** Host -> webview: answer to `layout/cacheLookup`; entries the host's persistent cache holds. */
export const LayoutCacheResult = 'layout/cacheResult';
export interface LayoutCacheResultMessage {
  method: typeof LayoutCacheResult;
  requestId: number;
  entries: WireLayout[];
}

/** Host -> webview: answer to `layout/run`: one list of component layouts per job, or why not. */
export const LayoutRunResult = 'layout/runResult';
export type LayoutRunResultMessage = { method: typeof LayoutRunResult; requestId: number } & ({ layouts: WireLayout[][] } | { error: string });

/** Host -> webview: a command from the palette or a toolbar outside the webview. */
export const ViewCommand = 'graph/command';
export type ViewCommandName = 'fit' | 'toggleScope' | 'exportSvg' | 'exportPng' | 'relayout';
export interface ViewCommandMessage {
  method: typeof ViewCommand;
  command: ViewCommandName;
}

export type HostToWebviewMessage =
  | GraphLoadMessage
  | GraphLayoutsMessage
  | ActiveFileMessage
  | CursorTaskMessage
  | RunStatesMessage
  | DiagnosticCountsMessage
  | LayoutCacheResultMessage
  | LayoutRunResultMessage
  | ViewCommandMessage;

// ---------------------------------------------------------------------------------------------
// Webview -> host (validated by the host before use)
// ---------------------------------------------------------------------------------------------

/**
 * Webview -> host, once its listeners are attached: the host posts nothing before it. Said by the
 * page's first script (extension/vscode/graph/html.ts), before the bundle is parsed: that script's
 * listener keeps what the host posts until the bundle takes over (webview/src/host.ts).
 */
export const Ready = 'graph/ready';

/** The global through which the page's first script hands the VS Code API and the messages kept so far to the bundle. */
export const EARLY_CHANNEL_GLOBAL = '__luigiSpannerEarlyChannel';
/**
 * The id of a `<script type="application/json">` in the page's HTML holding the host's first
 * message (a `graph/load` with its layouts), when the host had both at the command: the page draws
 * from it before any message can arrive, and the host does not post that graph again on `ready`.
 */
export const OPENING_ELEMENT_ID = 'graph-opening';
/** The id of the JSON block holding the opening's `snapshot` apart: read and drawn before the (much larger) rest is parsed. */
export const SNAPSHOT_ELEMENT_ID = 'graph-opening-snapshot';
export interface ReadyMessage {
  method: typeof Ready;
  protocolVersion: number;
}

/** Webview -> host: open the task's class in the editor (a click on a node). */
export const RevealTask = 'graph/revealTask';
export interface RevealTaskMessage {
  method: typeof RevealTask;
  taskId: string;
}

/** Webview -> host: open a table's CREATE TABLE in its migration (a click on a table node). */
export const RevealTable = 'graph/revealTable';
export interface RevealTableMessage {
  method: typeof RevealTable;
  /** The table's name as the graph's `tables` section spells it. */
  table: string;
}

/**
 * Webview -> host: preview the rows this task wrote (its tables in the last run's database, with
 * the queries), as a task of a run in Luigi Runs does. Sent by P on a selected task, or its context menu.
 */
export const PreviewTaskRows = 'graph/previewTaskRows';
export interface PreviewTaskRowsMessage {
  method: typeof PreviewTaskRows;
  taskId: string;
}

/** Webview -> host: which of these component layouts does the persistent cache hold? */
export const LayoutCacheLookup = 'layout/cacheLookup';
export interface LayoutCacheLookupMessage {
  method: typeof LayoutCacheLookup;
  requestId: number;
  keys: string[];
}

/** Webview -> host: freshly computed component layouts to persist across restarts. */
export const LayoutCacheStore = 'layout/cacheStore';
export interface LayoutCacheStoreMessage {
  method: typeof LayoutCacheStore;
  entries: ComponentLayout[];
}

/** Webview -> host: lay out these jobs where ELK is warm (the language server); sent only after `layoutService`. */
export const LayoutRun = 'layout/run';
export interface LayoutRunMessage {
  method: typeof LayoutRun;
  requestId: number;
  jobs: LayoutJobSpec[];
}

/** Webview -> host: save an export; `data` is SVG text or a base64 PNG. The host asks where. */
export const ExportImage = 'graph/export';
export interface ExportImageMessage {
  method: typeof ExportImage;
  format: 'svg' | 'png';
  data: string;
  suggestedName: string;
}

/** Webview -> host: timings of the last settled render, for the log and the e2e tests. */
export const RenderStats = 'graph/renderStats';
export interface RenderStatsMessage {
  method: typeof RenderStats;
  nodes: number;
  edges: number;
  /** From `graph/load` arriving to the graph settled on screen. */
  totalMs: number;
  /** From `graph/load` arriving to the first drawing on screen (a provisional one when ELK had to run). */
  firstPaintMs?: number;
  /** Where the components came from: ELK in the language server, in the webview's workers, or caches only. */
  layoutSource?: 'server' | 'webview' | 'cache';
  layoutMs: number;
  cachedComponents: number;
  computedComponents: number;
}

/** Webview -> host: something failed in the webview; the host logs it. */
export const WebviewError = 'graph/error';
export interface WebviewErrorMessage {
  method: typeof WebviewError;
  message: string;
}

export type WebviewToHostMessage =
  | ReadyMessage
  | RevealTaskMessage
  | RevealTableMessage
  | PreviewTaskRowsMessage
  | LayoutCacheLookupMessage
  | LayoutCacheStoreMessage
  | LayoutRunMessage
  | ExportImageMessage
  | RenderStatsMessage
  | WebviewErrorMessage;

// ---------------------------------------------------------------------------------------------
// State the webview persists with setState (and VS Code hands back on restore).
// ---------------------------------------------------------------------------------------------

export const VIEW_STATE_VERSION = 1;

export type FocusDirection = 'upstream' | 'downstream' | 'both';

export interface FocusState {
  taskId: string;
  direction: FocusDirection;
  /** Levels of edges followed from the focused task; 0 means unlimited. */
  depth: number;
}

export interface Viewport {
  x: number;
  y: number;
  scale: number;
}

export interface PersistedViewState {
  version: typeof VIEW_STATE_VERSION;
  scope: GraphScope;
  direction: LayoutDirection;
  collapsedModules: string[];
  expandedFamilies: string[];
  focus: FocusState | null;
  selectedId: string | null;
  search: string;
  viewport: Viewport | null;
  /** "Tasks + tables": the Spanner tables drawn between their writers and readers (absent in older states: off). */
  tables?: boolean;
  /** Which drawn graph `viewport` belongs to (core/graphLayout/framing.ts graphSignature); absent in older states. */
  viewportGraph?: string;
}

// ---------------------------------------------------------------------------------------------
// Language server <-> client: the custom LSP messages of `luigi-spanner server` (extension/server).
// The standard ones (diagnostics, code actions, CodeLenses, hover, definition, workspace symbols)
// need no declaration. Folders are workspace-folder URIs; files are relative to their folder.
// ---------------------------------------------------------------------------------------------

/**
 * Client -> server request: the pipeline graph of a workspace folder (default: the first), answered
 * once that folder's first index is in. The VS Code client keeps the answer and refreshes it on
 * `luigiSpanner/graphChanged`; graph view, run commands and task pickers read that copy.
 */
export const LspGraphRequest = 'luigiSpanner/graph';
export interface LspGraphParams {
  folder?: string;
}
export interface LspGraphResult {
  folder: string;
  graph: GraphJson;
}

/** Server -> client notification: a folder's graph changed (files whose facts changed; all files after the first index). */
export const LspGraphChanged = 'luigiSpanner/graphChanged';
export interface LspGraphChangedParams {
  folder: string;
  files: string[];
}

/**
 * Client -> server request: component layouts by structure key (core/graphLayout/components.ts).
 * The server lays out the graphs a user is likely to open (the workspace, the active file's scope)
 * right after its index settles, with an ELK kept warm in a worker thread (server/layoutService.ts),
 * and keeps them in memory and in the shared layout cache folder. Keys being laid out are awaited;
 * `jobs` (components not held) are laid out on that warm ELK, in order. Unknown keys are left out.
 */
export const LspGraphLayoutRequest = 'luigiSpanner/graphLayout';
/** `initializationOptions.graphLayouts` of a client with a graph view: turns the layout service on. */
export interface LspGraphLayoutsInit {
  /** Absolute folder of cached component layouts, shared with the client (optional). */
  cacheDirectory?: string;
}
/**
 * `initializationOptions.codeLensByClient`: the client provides CodeLenses itself (from activation on,
 * before the server is up) and sends textDocument/codeLens; the server then leaves `codeLensProvider`
 * out of its capabilities, so the client's LSP library registers no second provider. The server still
 * sends workspace/codeLens/refresh when lenses change.
 */
export interface LspCodeLensInit {
  codeLensByClient?: boolean;
}
export interface LspGraphLayoutParams {
  /** Workspace-folder URI (default: the first). */
  folder?: string;
  keys: string[];
  jobs?: LayoutJobSpec[];
  /**
   * Answer once the layouts the server is computing or has scheduled ahead are done (at most a
   * minute): the client's prefetch after a graph change, so that what it holds is complete.
   */
  afterAhead?: boolean;
}
export interface LspGraphLayoutResult {
  entries: ComponentLayout[];
  /** One list per job, in order, when `jobs` were given. */
  layouts?: ComponentLayout[][];
}

/** Server -> client notification: lint finding counts per task id of a folder (graph badges); replaces earlier counts. */
export const LspTaskFindings = 'luigiSpanner/taskFindings';
export interface LspTaskFindingsParams {
  folder: string;
  counts: Record<string, DiagnosticCounts>;
}

/**
 * Command ids the server's CodeLenses carry, with `TaskLensArguments` as their one argument. The
 * VS Code client registers commands of these ids (extension/vscode/commands.ts holds the same);
 * another editor maps them to its own actions (docs/editors.md).
 */
export const TaskLensCommands = {
  run: 'luigiSpanner.runTask',
  forceRerun: 'luigiSpanner.forceRerun',
  showGraph: 'luigiSpanner.showGraph',
} as const;
export interface TaskLensArguments {
  /** Absolute path of the file that defines the task. */
  file: string;
  task: string;
  taskId: string;
  /** Workspace-folder URI the task belongs to. */
  folder: string;
}

/** The source every diagnostic of the server carries. */
export const LSP_DIAGNOSTIC_SOURCE = 'luigi-spanner';
