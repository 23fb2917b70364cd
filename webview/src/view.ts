// The graph view's controller: holds what the user chose to see (persisted with setState),
// turns host messages into layouts and drawings, and user gestures into host messages.
import type { GraphJson, GraphTable } from '../../extension/core/analysis/types';
import type { LayoutJobSpec } from '../../extension/core/graphLayout/elk';
import { layoutGraph, MemoryLayoutCache, type LayoutCache, type LayoutRunner, type LayoutStats } from '../../extension/core/graphLayout/layout';
import { renderLayoutSvg, STATE_PRECEDENCE, type NodeDecoration } from '../../extension/core/graphLayout/svg';
import type { ComponentLayout, GraphLayout, GraphSnapshot, OpeningDrawing, Rect, VisibleGraph, VisibleNode } from '../../extension/core/graphLayout/types';
import { drawingFits, drawingLayout } from '../../extension/core/graphLayout/openingSnapshot';
import { buildVisibleGraphPaced, familyKey, indexGraph, thousands, type GraphIndex } from '../../extension/core/graphLayout/viewModel';
import { isTableFocus } from '../../extension/core/graphLayout/tableFocus';
import { unpackGraph, unpackLayouts } from '../../extension/core/graphLayout/wire';
import {
  ActiveFile,
  CursorTask,
  DiagnosticCountsUpdate,
  ExportImage,
  GraphLayouts,
  GraphLoad,
  LayoutCacheLookup,
  LayoutCacheResult,
  LayoutCacheStore,
  LayoutRun,
  LayoutRunResult,
  PROTOCOL_VERSION,
  Ready,
  RenderStats,
  RevealTable,
  RevealTask,
  RunStates,
  VIEW_STATE_VERSION,
  ViewCommand,
  WebviewError,
  type DiagnosticCounts,
  type FamilyRunCounts,
  type GraphLoadMessage,
  type HostToWebviewMessage,
  type PersistedViewState,
  type RunState,
  type RunStateUpdate,
  type ViewCommandName,
  type RenderStatsMessage,
  type WireLayout,
} from '../../extension/shared/protocol';
import { graphSignature, isNewGraph, READABLE_SCALE, startRect } from '../../extension/core/graphLayout/framing';
import { Minimap } from './minimap';
import type { HostChannel } from './host';
import { timed, timedSlices } from './timing';
import type { LayoutWorkerPool } from './layoutWorkers';
import { resolvedThemeVariables } from './palette';
import { Scene, type Decorations } from './scene';
import type { Toolbar } from './toolbar';
import { ViewportController } from './viewport';

/** How long the host may take to answer a cache lookup before we lay out ourselves. */
const CACHE_LOOKUP_TIMEOUT_MS = 2000;
/** How long layouts announced with the graph (`layoutsFollow`) are waited for before asking. */
const LAYOUTS_FOLLOW_TIMEOUT_MS = 2000;
/** How long the language server may take to lay out before the webview's own workers do it. */
const SERVER_LAYOUT_TIMEOUT_MS = 60_000;

/** Lets input and rendering run between steps of work on the UI thread. */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * A `yieldToEventLoop` that yields only once the current task has run `budgetMs`: a small graph
 * goes from its message to the drawing's first frame in one task (one rendering frame sooner for
 * each yield saved, and no frame of the page without its graph), a big one still never holds the
 * UI thread long. Waits in between (a cache lookup) only make it yield sooner.
 */
export function budgetedYield(budgetMs: number): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await yieldToEventLoop();
    since = performance.now();
  };
}

/** UI-thread work a graph's load may do before it lets input and rendering in (see budgetedYield). */
const LOAD_SLICE_MS = 30;
/**
 * Up to this many tasks a load's steps may share a task: each takes a few ms there. Beyond, one
 * step alone can take 30-80 ms (on a busy machine), so every step keeps a task of its own.
 */
const LOAD_MERGE_MAX_TASKS = 1500;

export function defaultViewState(direction: PersistedViewState['direction'] = 'RIGHT'): PersistedViewState {
  return {
    version: VIEW_STATE_VERSION,
    scope: { kind: 'workspace' },
    direction,
    collapsedModules: [],
    expandedFamilies: [],
    focus: null,
    selectedId: null,
    search: '',
    viewport: null,
    tables: false,
  };
}

type ViewChange = 'open' | 'update' | 'reframe' | 'regroup' | 'fresh';

export class GraphView {
  readonly scene: Scene;
  readonly viewport: ViewportController;
  readonly minimap: Minimap;
  private readonly memoryCache = new MemoryLayoutCache();
  private readonly cache: LayoutCache;
  state: PersistedViewState;
  private graph: GraphJson | undefined;
  private index: GraphIndex | undefined;
  visible: VisibleGraph | undefined;
  private layout: GraphLayout | undefined;
  private visibleNodes = new Map<string, VisibleNode>();
  /** Task id -> the visible node drawing it. */
  private nodeOfTask = new Map<string, string>();
  private readonly taskStates = new Map<string, RunState>();
  private readonly familyCounts = new Map<string, FamilyRunCounts>();
  private diagnosticOverride: Map<string, DiagnosticCounts> | undefined;
  private cursorTask: string | null = null;
  private generation = 0;
  private lookupId = 0;
  private readonly lookups = new Map<number, (entries: ComponentLayout[]) => void>();
  private readonly runs = new Map<number, (result: { layouts: ComponentLayout[][] } | { error: string }) => void>();
  /** The host said the language server lays out (graph/load `layoutService`). */
  private layoutService = false;
  /** Where the last computed components were laid out. */
  private layoutSource: 'server' | 'webview' = 'webview';
  private restoredViewport: PersistedViewState['viewport'];
  /** The graph the restored viewport was saved for (it is reused only for that graph). */
  private readonly restoredViewportGraph: string | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  toolbar: Toolbar | undefined;
  lastStats: (LayoutStats & { totalMs: number; nodes: number; edges: number }) | undefined;

  constructor(
    private readonly host: HostChannel,
    private readonly pool: LayoutWorkerPool,
    canvas: HTMLElement,
    private readonly overlay: { status(text: string): void; message(text: string | null, action?: { label: string; run: () => void }): void; error(text: string): void },
    defaultDirection: PersistedViewState['direction'] = 'RIGHT',
  ) {
    this.state = { ...defaultViewState(defaultDirection), ...sanitizeState(host.loadState()) };
    this.restoredViewport = this.state.viewport;
    this.restoredViewportGraph = this.state.viewportGraph;
    this.scene = new Scene(canvas);
    this.viewport = new ViewportController({
      element: canvas,
      size: () => this.scene.size,
      onChange: (view) => {
        this.scene.setViewport(view);
        this.minimap.update();
        this.state.viewport = view;
        this.save();
      },
      onClick: (event) => this.click(event),
    });
    this.minimap = new Minimap({
      container: canvas,
      size: () => this.scene.size,
      view: () => this.viewport.current,
      centreAt: (x, y) => {
        const { width, height } = this.scene.size;
        const { scale } = this.viewport.current;
        this.viewport.set({ scale, x: width / 2 - x * scale, y: height / 2 - y * scale });
      },
    });
    canvas.append(this.minimap.element);
    canvas.addEventListener('dblclick', (event) => {
      const id = this.scene.nodeAt(event.clientX, event.clientY);
      if (id) this.expand(id);
    });
    this.cache = {
      get: async (keys) => {
        // The host is fetching this view's layouts already: asking would only fetch them twice.
        if (this.layoutsFollow) await this.layoutsFollow;
        const found = this.memoryCache.get(keys);
        const missing = keys.filter((k) => !this.memoryCache.has(k));
        if (missing.length === 0) return found;
        const remote = await this.lookup(missing);
        this.memoryCache.put(remote);
        return [...found, ...remote];
      },
      put: (entries) => {
        this.memoryCache.put(entries);
        // The language server stored what it laid out itself (the shared cache folder).
        if (this.layoutSource !== 'server') this.host.post({ method: LayoutCacheStore, entries: [...entries] });
      },
    };
  }

  /** When the opening's snapshot was drawn (paintSnapshot), until the graph it belongs to loads. */
  private snapshotDrawnAt: number | undefined;

  start(): void {
    const listen = () =>
      this.host.onMessage((message) => {
        try {
          this.receive(message);
        } catch (error) {
          this.fail(error);
        }
      });
    // A big graph's first drawing (a new panel's HTML) is drawn first; the page's first script
    // keeps whatever the host posts meanwhile (host.ts), and the opening's graph is read after it.
    const snapshot = this.host.takeSnapshot();
    if (!snapshot || !this.host.saidReady) {
      listen();
      if (!this.host.saidReady) this.host.post({ method: Ready, protocolVersion: PROTOCOL_VERSION });
      return;
    }
    void this.paintSnapshot(snapshot).then((drawnAt) => {
      this.snapshotDrawnAt = drawnAt;
      listen();
    }, (error: unknown) => {
      this.fail(error);
      listen();
    });
  }

  private receive(message: HostToWebviewMessage): void {
    switch (message.method) {
      case GraphLoad:
        void this.load(message).catch((error: unknown) => this.fail(error));
        break;
      case GraphLayouts:
        this.memoryCache.put(timed('unpack', () => unpackLayouts(message.layouts)));
        this.layoutsArrived?.();
        break;
      case ActiveFile:
        if (this.state.scope.kind === 'file' && this.state.scope.file !== message.file) {
          this.state.scope = { kind: 'file', file: message.file };
          this.toolbar?.sync();
          void this.refresh('reframe');
        } else if (this.state.scope.kind === 'workspace') {
          this.lastFile = message.file;
        }
        break;
      case CursorTask:
        this.cursorTask = message.taskId;
        this.decorate();
        this.revealCursor();
        break;
      case RunStates:
        this.applyRunStates(message.update);
        break;
      case DiagnosticCountsUpdate:
        this.diagnosticOverride = new Map(Object.entries(message.counts));
        this.decorate();
        break;
      case LayoutCacheResult:
        this.lookups.get(message.requestId)?.(unpackLayouts(message.entries));
        this.lookups.delete(message.requestId);
        break;
      case LayoutRunResult:
        this.runs.get(message.requestId)?.('error' in message ? { error: message.error } : { layouts: message.layouts.map(unpackLayouts) });
        this.runs.delete(message.requestId);
        break;
      case ViewCommand:
        this.command(message.command);
        break;
    }
  }

  /** The file scope's file, remembered while the workspace is shown. */
  lastFile: string | undefined;

  /** Resolves once the layouts a `graph/load` announced (`layoutsFollow`) are in, or given up on. */
  private layoutsFollow: Promise<void> | undefined;
  private layoutsArrived: (() => void) | undefined;

  private expectLayouts(): void {
    this.layoutsArrived?.();
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, LAYOUTS_FOLLOW_TIMEOUT_MS);
      this.layoutsArrived = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.layoutsFollow = done;
    void done.then(() => {
      if (this.layoutsFollow === done) this.layoutsFollow = this.layoutsArrived = undefined;
    });
  }

  private loads = 0;

  private async load(message: GraphLoadMessage): Promise<void> {
    const receivedAt = performance.now();
    const load = ++this.loads;
    // The first drawing from the page's HTML (start), if this graph is the one it belongs to.
    const firstPaintAt = this.snapshotDrawnAt;
    this.snapshotDrawnAt = undefined;
    this.layoutService = message.layoutService === true;
    const unpackLayoutsOf = (layouts: WireLayout[] | undefined) => layouts && this.memoryCache.put(timed('unpack', () => unpackLayouts(layouts)));
    // With a whole drawing the opening's layouts serve later views only: unpacked once it is drawn.
    if (!message.drawing) unpackLayoutsOf(message.layouts);
    if (message.layoutsFollow) this.expectLayouts();
    if (!this.layoutService) this.pool.warmUp();
    // Decoding a big message took its share of this task already (~25 ms at 3,000 tasks).
    if (message.graph.tasks.length > LOAD_MERGE_MAX_TASKS) {
      await yieldToEventLoop();
      if (load !== this.loads) return;
    }
    const graph = timed('unpack', () => unpackGraph(message.graph));
    this.graph = graph;
    this.index = timed('index', () => indexGraph(graph));
    if (message.scope) this.state.scope = message.scope;
    if (this.state.scope.kind === 'file') this.lastFile = this.state.scope.file;
    if (this.state.focus && !this.index.tasks.has(this.state.focus.taskId) && !isTableFocus(this.index, this.state.focus)) this.state.focus = null;
    if (message.revealTaskId && this.index.tasks.has(message.revealTaskId)) {
      const task = this.index.tasks.get(message.revealTaskId)!;
      // A task outside the file scope would not be drawn: widen to the workspace.
      if (this.state.scope.kind === 'file' && task.file !== this.state.scope.file) this.state.scope = { kind: 'workspace' };
    }
    this.toolbar?.sync();
    // An update before anything was drawn is a first open.
    const change = message.reason === 'open' || !this.layout ? 'open' : 'update';
    // A new panel's whole drawing, if the view opens as it was made for (openingSnapshot.ts).
    const drawing = message.drawing && change === 'open' && drawingFits(message.drawing, this.state) ? message.drawing : undefined;
    if (message.drawing && !drawing) unpackLayoutsOf(message.layouts);
    const drawn = this.refresh(change, { receivedAt, revealTaskId: message.revealTaskId, firstPaintAt, drawing });
    if (drawing) void drawn.then(() => unpackLayoutsOf(message.layouts));
  }

  /**
   * Draws the host's first drawing of a big graph (core/graphLayout/openingSnapshot.ts): placed as
   * the whole graph will be and the view opened as for it, so the whole graph takes its place
   * without a move. Resolves once its frame is drawn (when), so that the whole graph's preparation
   * starts after it. Clicks and keys wait for the whole graph.
   */
  private async paintSnapshot(snapshot: GraphSnapshot): Promise<number> {
    const visible: VisibleGraph = { nodes: snapshot.nodes.map(({ x: _x, y: _y, ...node }) => node), edges: snapshot.edges.map(({ points: _points, ...edge }) => edge) };
    const layout: GraphLayout = {
      bounds: snapshot.bounds,
      nodes: new Map(snapshot.nodes.map((n) => [n.id, { x: n.x, y: n.y, width: n.width, height: n.height }])),
      edges: new Map(snapshot.edges.map((e) => [e.id, e.points])),
      components: [],
    };
    this.scene.hold();
    try {
      timed('snapshot', () => this.scene.setModel(visible, layout));
      // The whole graph's first task along the direction is in the snapshot (openingSnapshot.ts).
      this.viewport.fit(layout.bounds, { focus: snapshot.focus ? layout.nodes.get(snapshot.focus) : undefined, start: startRect(layout.nodes.values(), this.state.direction), direction: this.state.direction });
    } finally {
      this.scene.release();
    }
    this.overlay.status('Preparing the whole graph… (the part in view is shown)');
    await this.scene.whenSettled();
    const drawnAt = performance.now();
    // Its frame goes to the screen before the whole graph's first step takes the thread.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return drawnAt;
  }

  /** Rebuilds the visible graph and its layout; `change` decides what happens to the view. */
  async refresh(change: ViewChange, extra: { receivedAt?: number; revealTaskId?: string | undefined; firstPaintAt?: number | undefined; drawing?: OpeningDrawing | undefined } = {}): Promise<void> {
    const index = this.index;
    if (!index) return;
    const startedAt = extra.receivedAt ?? performance.now();
    const generation = ++this.generation;
    // A graph from the host goes straight on (a message is one change); a choice in the view
    // yields first, so that several in one task make one refresh.
    const pause = extra.receivedAt !== undefined && index.tasks.size <= LOAD_MERGE_MAX_TASKS ? budgetedYield(LOAD_SLICE_MS) : yieldToEventLoop;
    await pause();
    if (generation !== this.generation) return;
    // The host's whole drawing of this view (load checked that it fits): nothing to build or lay out.
    const taken = extra.drawing && timed('drawing', () => drawingLayout(extra.drawing!));
    const slices = taken ? undefined : timedSlices('visibleGraph', pause);
    const visible =
      taken?.visible ??
      (await buildVisibleGraphPaced(
        index,
        {
          scope: this.state.scope,
          collapsedModules: new Set(this.state.collapsedModules),
          expandedFamilies: new Set(this.state.expandedFamilies),
          focus: this.state.focus,
          tables: this.state.tables === true,
        },
        slices!.pause,
      ));
    slices?.end();
    if (generation !== this.generation) return;
    if (visible.nodes.length === 0) {
      this.visible = visible;
      this.layout = undefined;
      this.scene.setModel(visible, { bounds: { x: 0, y: 0, width: 0, height: 0 }, nodes: new Map(), edges: new Map(), components: [] });
      this.minimap.setModel(undefined);
      this.emptyMessage();
      this.save();
      return;
    }
    this.overlay.message(null);
    const drawn = this.layout !== undefined;
    const slow = setTimeout(() => this.overlay.status(`Laying out ${thousands(visible.nodes.length)} tasks…${drawn ? ' (the drawing shown is stale)' : ''}`), 150);
    let result;
    // Progressive display: an approximate drawing first whenever ELK has to run (or the cache is
    // slow), then the nodes glide into ELK's layout. `place` runs again for the final layout.
    let provisional: GraphLayout | undefined;
    let firstPaintMs = extra.firstPaintAt === undefined ? undefined : extra.firstPaintAt - startedAt;
    const restoredViewport = this.restoredViewport;
    const paintProvisional = async (layout: GraphLayout) => {
      if (generation !== this.generation) return;
      provisional = layout;
      const before = new Set(this.visibleNodes.keys());
      this.adopt(visible, layout);
      // The same three steps as the final drawing, each its own task, shown together.
      this.scene.hold();
      try {
        timed('setModel', () => this.scene.setModel(visible, layout));
        this.minimap.setModel(layout);
        await pause();
        if (generation !== this.generation) return;
        timed('decorate', () => this.decorate());
        await pause();
        if (generation !== this.generation) return;
        timed('place', () => this.place(change, extra.revealTaskId, before));
      } finally {
        this.scene.release();
      }
      firstPaintMs = performance.now() - startedAt;
      this.overlay.status(`Laying out ${thousands(visible.nodes.length)} tasks… (a quick approximation is shown meanwhile)`);
    };
    try {
      result = taken
        ? { layout: taken.layout, stats: allCached(taken.layout) }
        : await layoutGraph(visible, this.state.direction, {
            runner: this.runner(),
            // Re-layout means ELK afresh: cached layouts are not read (the new ones are stored).
            cache: change === 'fresh' ? { get: async () => [], put: (entries) => this.cache.put(entries) } : this.cache,
            previous: change === 'fresh' || change === 'open' ? undefined : this.layout,
            pause,
            // The approximation only if the caches (the language server) have not answered by ~250 ms
            // after the data came: a first paint within 300 ms either way.
            provisional: { paint: paintProvisional, afterMs: Math.max(30, 250 - (performance.now() - startedAt)) },
          });
    } catch (error) {
      clearTimeout(slow);
      if (generation === this.generation) this.fail(error);
      return;
    }
    clearTimeout(slow);
    // A newer graph or choice arrived meanwhile: its layout wins (this one is cached anyway).
    if (generation !== this.generation) return;
    await pause();
    if (generation !== this.generation) return;
    const previousIds = new Set(this.visibleNodes.keys());
    this.adopt(visible, result.layout);
    if (provisional) this.restoredViewport = restoredViewport;
    // Three steps, each its own task (none may hold the UI thread long on big graphs), shown
    // together: no frame with the new graph but the old view or no selection.
    this.scene.hold();
    try {
      timed('setModel', () => this.scene.setModel(visible, result.layout, provisional));
      this.minimap.setModel(result.layout);
      await pause();
      if (generation !== this.generation) return;
      timed('decorate', () => this.decorate());
      await pause();
      if (generation !== this.generation) return;
      // After a provisional paint the user may have moved already: an update keeps the view.
      timed('place', () => this.place(provisional && change !== 'open' ? 'update' : change, extra.revealTaskId, previousIds));
    } finally {
      this.scene.release();
    }
    await this.scene.whenSettled();
    if (generation !== this.generation) return;
    const totalMs = performance.now() - startedAt;
    this.lastStats = { ...result.stats, totalMs, nodes: visible.nodes.length, edges: visible.edges.length };
    this.overlay.status(`${thousands(visible.nodes.length)} nodes · ${thousands(visible.edges.length)} edges · ${Math.round(totalMs)} ms · ${layoutOrigin(result.stats)}${this.unresolvedTablesNote(visible)}`);
    const stats: RenderStatsMessage = {
      method: RenderStats,
      nodes: visible.nodes.length,
      edges: visible.edges.length,
      totalMs,
      firstPaintMs: firstPaintMs ?? totalMs,
      layoutMs: result.stats.elkMs,
      cachedComponents: result.stats.cachedComponents,
      computedComponents: result.stats.computedComponents,
      layoutSource: result.stats.computedComponents > 0 ? this.layoutSource : 'cache',
    };
    this.host.post(stats);
    this.toolbar?.sync();
    this.save();
  }

  /** Makes a laid-out graph the one interactions (click, keys, search) work on. */
  private adopt(visible: VisibleGraph, layout: GraphLayout): void {
    this.visible = visible;
    this.layout = layout;
    this.visibleNodes = new Map(visible.nodes.map((n) => [n.id, n]));
    this.nodeOfTask = new Map();
    // A table node lists its writers and readers as members, but draws none of them.
    for (const node of visible.nodes) if (node.kind !== 'table') for (const member of node.members) this.nodeOfTask.set(member, node.id);
    if (this.state.selectedId && !this.visibleNodes.has(this.state.selectedId)) this.state.selectedId = this.selectionFallback(this.state.selectedId);
  }

  /**
   * ELK where it is warm: the language server (through the host) when the host offers it, else
   * (or if it fails) the webview's own workers, started only then.
   */
  private runner(): LayoutRunner {
    if (!this.layoutService) {
      this.layoutSource = 'webview';
      return this.pool;
    }
    return {
      run: async (jobs) => {
        try {
          const layouts = await this.remoteRun(jobs);
          this.layoutSource = 'server';
          return layouts;
        } catch (error) {
          this.host.post({ method: WebviewError, message: `the language server did not lay out the graph (${error instanceof Error ? error.message : String(error)}); laying out in the view` });
          this.pool.warmUp();
          this.layoutSource = 'webview';
          return this.pool.run(jobs);
        }
      },
    };
  }

  private remoteRun(jobs: readonly LayoutJobSpec[]): Promise<ComponentLayout[][]> {
    const requestId = ++this.lookupId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.runs.delete(requestId);
        reject(new Error(`no answer within ${SERVER_LAYOUT_TIMEOUT_MS / 1000} s`));
      }, SERVER_LAYOUT_TIMEOUT_MS);
      this.runs.set(requestId, (result) => {
        clearTimeout(timer);
        if ('error' in result) reject(new Error(result.error));
        else if (result.layouts.length !== jobs.length) reject(new Error(`${result.layouts.length} results for ${jobs.length} jobs`));
        else resolve(result.layouts);
      });
      this.host.post({ method: LayoutRun, requestId, jobs: [...jobs] });
    });
  }

  /** A selected task that is now inside a group selects the group. */
  private selectionFallback(id: string): string | null {
    const node = this.nodeOfTask.get(id);
    if (node) return node;
    const members = this.visibleNodes.get(id)?.members ?? [];
    return members.length ? this.nodeOfTask.get(members[0]!) ?? null : null;
  }

  /** The task the user cares about now: selected, else under the editor cursor, else focused. */
  private focusRect(): Rect | undefined {
    const layout = this.layout;
    if (!layout) return undefined;
    // A focused table is drawn as the node of its own id.
    const focused = this.state.focus && (this.nodeOfTask.get(this.state.focus.taskId) ?? this.state.focus.taskId);
    const ids = [this.state.selectedId, this.cursorTask && this.nodeOfTask.get(this.cursorTask), focused];
    for (const id of ids) {
      const rect = id ? layout.nodes.get(id) : undefined;
      if (rect) return rect;
    }
    return undefined;
  }

  /** The open rule (framing.ts): whole if readable, else readable on the focus or the start. */
  private frame(): void {
    if (this.layout) this.viewport.fit(this.layout.bounds, { focus: this.focusRect(), start: startRect(this.layout.nodes.values(), this.state.direction), direction: this.state.direction });
  }

  private place(change: ViewChange, revealTaskId: string | undefined, previousIds: ReadonlySet<string>): void {
    const layout = this.layout!;
    const restored = this.restoredViewport;
    this.restoredViewport = null;
    // A restored viewport is reused only for the graph it was saved for; another graph in
    // the same panel (a new folder, the index arriving) opens by the rule instead.
    const signature = graphSignature(this.visible?.nodes.map((n) => n.id) ?? []);
    const restoredFits = restored && this.restoredViewportGraph === signature ? restored : null;
    this.state.viewportGraph = signature;
    if (revealTaskId) {
      const nodeId = this.nodeOfTask.get(revealTaskId);
      const rect = nodeId && layout.nodes.get(nodeId);
      if (nodeId && rect) {
        this.select(nodeId, false);
        if (change === 'open' && restoredFits) this.viewport.set(restoredFits);
        else if (change === 'open') this.frame();
        if (!this.viewport.shows(rect) || this.viewport.current.scale < READABLE_SCALE) this.viewport.center(rect);
        return;
      }
    }
    if (change === 'open') {
      if (restoredFits) this.viewport.set(restoredFits);
      else this.frame();
    } else if (change === 'reframe' || change === 'fresh' || isNewGraph(previousIds, this.visibleNodes.keys())) {
      this.frame();
    } else {
      // update / regroup of the same graph: keep the zoom and what is under it.
      this.viewport.set(this.viewport.current);
    }
  }

  private emptyMessage(): void {
    const scope = this.state.scope;
    if (this.index && this.index.tasks.size === 0) this.overlay.message('No Luigi tasks found in this workspace.');
    else if (scope.kind === 'file')
      this.overlay.message(`No tasks are defined in ${scope.file}.`, { label: 'Show the workspace', run: () => this.setScope('workspace') });
    else this.overlay.message('Nothing to show.');
    this.overlay.status('');
  }

  private lookup(keys: string[]): Promise<ComponentLayout[]> {
    const requestId = ++this.lookupId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.lookups.delete(requestId);
        resolve([]);
      }, CACHE_LOOKUP_TIMEOUT_MS);
      this.lookups.set(requestId, (entries) => {
        clearTimeout(timer);
        resolve(entries);
      });
      this.host.post({ method: LayoutCacheLookup, requestId, keys });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Decorations: selection, cursor, search, run states, diagnostics
  // -------------------------------------------------------------------------------------------

  decorate(): void {
    const nodes = new Map<string, NodeDecoration>();
    const diagnostics = this.diagnosticsByTask();
    const anything = diagnostics.size > 0 || this.taskStates.size > 0 || this.familyCounts.size > 0;
    for (const node of anything ? this.visibleNodes.values() : []) {
      if (node.kind === 'table') continue; // its tasks' states and problems are theirs
      const decoration: NodeDecoration = {};
      const counts: Partial<Record<RunState, number>> = {};
      let single: RunState | undefined;
      for (const member of node.members) {
        const own = this.taskStates.get(member);
        if (own) {
          counts[own] = (counts[own] ?? 0) + 1;
          single = own;
        }
        const task = this.index?.tasks.get(member);
        const family = task && (this.familyCounts.get(familyKey(task)) ?? this.familyCounts.get(task.name));
        if (family) for (const [state, count] of Object.entries(family) as [RunState, number][]) counts[state] = (counts[state] ?? 0) + count;
        const d = diagnostics.get(member);
        if (d) {
          decoration.diagnostics ??= { error: 0, warning: 0, info: 0 };
          decoration.diagnostics.error += d.error;
          decoration.diagnostics.warning += d.warning;
          decoration.diagnostics.info += d.info;
        }
      }
      const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
      if (total > 0) {
        decoration.state = STATE_PRECEDENCE.find((s) => (counts[s] ?? 0) > 0);
        // A lone task shows its state; anything counting instances also gets the strip.
        if (!(total === 1 && single)) decoration.counts = counts;
      }
      if (decoration.state || decoration.diagnostics) nodes.set(node.id, decoration);
    }
    const matches = this.searchMatches();
    this.matchOrder = matches ? this.orderMatches(matches) : [];
    if (!this.currentMatch || !matches?.has(this.currentMatch)) this.currentMatch = this.matchOrder[0] ?? null;
    const decorations: Decorations = {
      selected: this.state.selectedId,
      cursor: this.cursorTask ? this.nodeOfTask.get(this.cursorTask) ?? null : null,
      matches,
      current: this.currentMatch,
      nodes,
    };
    this.decorations = decorations;
    this.scene.setDecorations(decorations);
    this.minimap.setMarks(decorations.selected, decorations.matches);
  }

  decorations: Decorations | undefined;

  private diagnosticsCache: { graph: GraphJson; counts: Map<string, DiagnosticCounts> } | undefined;

  private diagnosticsByTask(): Map<string, DiagnosticCounts> {
    if (this.diagnosticOverride) return this.diagnosticOverride;
    if (!this.graph) return new Map();
    if (this.diagnosticsCache?.graph === this.graph) return this.diagnosticsCache.counts;
    const result = new Map<string, DiagnosticCounts>();
    this.diagnosticsCache = { graph: this.graph, counts: result };
    if (this.graph.diagnostics.length === 0) return result;
    const byFile = new Map<string, { id: string; from: number; to: number }[]>();
    for (const task of this.graph.tasks) {
      const list = byFile.get(task.file) ?? [];
      list.push({ id: task.id, from: task.line, to: task.endLine ?? task.line });
      byFile.set(task.file, list);
    }
    for (const d of this.graph.diagnostics) {
      for (const t of byFile.get(d.file) ?? []) {
        if (d.line < t.from || d.line > t.to) continue;
        const counts = result.get(t.id) ?? { error: 0, warning: 0, info: 0 };
        counts[d.severity]++;
        result.set(t.id, counts);
      }
    }
    return result;
  }

  private searchMatches(): Set<string> | null {
    const query = this.state.search.trim().toLowerCase();
    if (!query || !this.index) return null;
    const matches = new Set<string>();
    for (const node of this.visibleNodes.values()) {
      // A table matches by its name; its members are the tasks around it, not what it is.
      const hit =
        node.label.toLowerCase().includes(query) ||
        (node.kind !== 'table' &&
          node.members.some((id) => {
          const task = this.index!.tasks.get(id);
          return (
            id.toLowerCase().includes(query) ||
            [...(task?.tables ?? []), ...(task?.tableReads ?? [])].some((t) => t.toLowerCase().includes(query)) ||
            (task?.outputs ?? []).some((o) => (o.tables ?? []).some((t) => t.toLowerCase().includes(query)))
          );
        }));
      if (hit) matches.add(node.id);
    }
    return matches;
  }

  private applyRunStates(update: RunStateUpdate): void {
    if (update.reset) {
      this.taskStates.clear();
      this.familyCounts.clear();
    }
    for (const [id, state] of Object.entries(update.byTaskId ?? {})) this.taskStates.set(id, state);
    for (const [family, counts] of Object.entries(update.byFamily ?? {})) this.familyCounts.set(family, counts);
    this.decorate();
  }

  private revealCursor(): void {
    const id = this.decorations?.cursor;
    const rect = id ? this.layout?.nodes.get(id) : undefined;
    if (rect && !this.viewport.shows(rect)) this.viewport.center(rect, this.viewport.current.scale);
  }

  // -------------------------------------------------------------------------------------------
  // Gestures and toolbar actions
  // -------------------------------------------------------------------------------------------

  private click(event: PointerEvent): void {
    const id = this.scene.nodeAt(event.clientX, event.clientY);
    this.select(id ?? null, id !== undefined);
  }

  /** Selects a node; `reveal` also opens its class in the editor. */
  select(id: string | null, reveal: boolean): void {
    this.state.selectedId = id;
    this.decorate();
    this.toolbar?.sync();
    this.save();
    if (!reveal || !id) return;
    const node = this.visibleNodes.get(id);
    const table = node?.kind === 'table' ? this.tableOf(node.id) : undefined;
    if (table) {
      this.host.post({ method: RevealTable, table: table.name });
      return;
    }
    const taskId = node && this.revealTarget(node);
    if (taskId) this.host.post({ method: RevealTask, taskId });
  }

  /**
   * With the tables drawn: the writes and reads of the tasks shown whose table is not known
   * statically (not drawn, so the lineage is partial; each task's hover lists its own).
   */
  private unresolvedTablesNote(visible: VisibleGraph): string {
    if (!this.state.tables || !this.index) return '';
    const tasks = new Set<string>();
    for (const node of visible.nodes) if (node.kind !== 'table') for (const id of node.members) tasks.add(id);
    let count = 0;
    for (const id of tasks) count += this.index.tasks.get(id)?.unresolvedTables?.length ?? 0;
    return count ? ` · ${thousands(count)} table name${count === 1 ? '' : 's'} not known statically (see the tasks' hover)` : '';
  }

  /** How many Spanner tables the whole graph's tasks write or read. */
  tableCount(): number {
    return this.index?.tables.length ?? 0;
  }

  /** The table a table node draws (its columns, key, migration, writers and readers). */
  tableOf(nodeId: string): GraphTable | undefined {
    return this.index?.tableById.get(nodeId);
  }

  /** "Tasks only" / "Tasks + tables": tables are laid out with the tasks; the zoom stays. */
  setTables(on: boolean): void {
    if ((this.state.tables === true) === on) return;
    this.state.tables = on;
    this.toolbar?.sync();
    void this.refresh('regroup');
  }

  private revealTarget(node: VisibleNode): string | undefined {
    if (node.kind === 'table') return undefined;
    if (node.members.length === 1) return node.members[0];
    // A group opens its first class in file order.
    const tasks = node.members.map((id) => this.index!.tasks.get(id)!).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    return tasks[0]?.id;
  }

  /**
   * Arrow keys with a selection: selects the nearest task that way (spatial navigation, so it
   * works in every layout direction), preferring the selected task's own up- and downstream.
   * False when nothing is selected (the arrows pan then).
   */
  moveSelection(dx: -1 | 0 | 1, dy: -1 | 0 | 1): boolean {
    const selected = this.state.selectedId;
    const from = selected ? this.layout?.nodes.get(selected) : undefined;
    if (!selected || !from || !this.layout || !this.visible) return false;
    const linked = new Set<string>();
    for (const edge of this.visible.edges) {
      if (edge.from === selected) linked.add(edge.to);
      if (edge.to === selected) linked.add(edge.from);
    }
    const cx = from.x + from.width / 2;
    const cy = from.y + from.height / 2;
    let best: string | undefined;
    let bestScore = Infinity;
    for (const [id, rect] of this.layout.nodes) {
      if (id === selected) continue;
      const vx = rect.x + rect.width / 2 - cx;
      const vy = rect.y + rect.height / 2 - cy;
      const along = vx * dx + vy * dy;
      const across = Math.abs(dx !== 0 ? vy : vx);
      // Within 60 degrees either side of the arrow.
      if (along <= 0 || across > along * 1.8) continue;
      const score = (along + 2 * across) * (linked.has(id) ? 0.5 : 1);
      if (score < bestScore) {
        bestScore = score;
        best = id;
      }
    }
    if (best) {
      this.select(best, false);
      const rect = this.layout.nodes.get(best)!;
      if (!this.viewport.shows(rect)) this.viewport.center(rect, this.viewport.current.scale);
    }
    return true;
  }

  selectedNode(): VisibleNode | undefined {
    return this.state.selectedId ? this.visibleNodes.get(this.state.selectedId) : undefined;
  }

  /** A task's drawn name (with its module suffix when the name is shared); the id if unknown. */
  labelOf(id: string): string {
    return this.index?.labels.get(id) ?? id;
  }

  taskOf(id: string) {
    return this.index?.tasks.get(id);
  }

  nodeInfo(id: string): { node: VisibleNode; decoration: NodeDecoration | undefined } | undefined {
    const node = this.visibleNodes.get(id);
    return node && { node, decoration: this.decorations?.nodes.get(id) };
  }

  modules(): { module: string; tasks: number }[] {
    if (!this.index) return [];
    const counts = new Map<string, number>();
    for (const task of this.index.tasks.values()) counts.set(task.module, (counts.get(task.module) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([module, tasks]) => ({ module, tasks }));
  }

  setSearch(text: string): void {
    this.state.search = text;
    // The first match becomes current (decorate) and is brought into view; it is not
    // selected: typing must not change what Focus and Enter act on.
    this.currentMatch = null;
    this.decorate();
    this.revealMatch();
    this.save();
  }

  /** Search matches in reading order along the layout, and the current one (k of n). */
  matchOrder: string[] = [];
  currentMatch: string | null = null;

  private orderMatches(matches: ReadonlySet<string>): string[] {
    const layout = this.layout;
    if (!layout) return [...matches];
    // Along the layout direction first: rank by rank, like reading the pipeline.
    const across = this.state.direction === 'DOWN' || this.state.direction === 'UP';
    return [...matches]
      .filter((id) => layout.nodes.has(id))
      .sort((a, b) => {
        const ra = layout.nodes.get(a)!;
        const rb = layout.nodes.get(b)!;
        return across ? ra.y - rb.y || ra.x - rb.x : ra.x - rb.x || ra.y - rb.y;
      });
  }

  /** Selects and shows the next (or with -1 the previous) search match, wrapping around. */
  nextMatch(step: 1 | -1 = 1): void {
    const order = this.matchOrder;
    if (order.length === 0) return;
    const from = this.currentMatch ? order.indexOf(this.currentMatch) : -1;
    // The first Enter after typing takes the current match itself.
    const atCurrent = from >= 0 && this.state.selectedId !== this.currentMatch;
    const index = atCurrent ? from : (from + step + order.length) % order.length;
    this.currentMatch = order[index]!;
    this.select(this.currentMatch, false);
    this.revealMatch();
  }

  private revealMatch(): void {
    const rect = this.currentMatch ? this.layout?.nodes.get(this.currentMatch) : undefined;
    if (rect && (!this.viewport.shows(rect) || this.viewport.current.scale < READABLE_SCALE)) this.viewport.center(rect);
  }

  setScope(kind: 'file' | 'workspace'): void {
    if (kind === 'file') {
      const file = this.lastFile ?? (this.state.scope.kind === 'file' ? this.state.scope.file : undefined);
      if (!file) return;
      this.state.scope = { kind: 'file', file };
    } else {
      if (this.state.scope.kind === 'file') this.lastFile = this.state.scope.file;
      this.state.scope = { kind: 'workspace' };
    }
    this.state.focus = null;
    this.toolbar?.sync();
    void this.refresh('reframe');
  }

  setFocus(direction: 'off' | 'upstream' | 'downstream' | 'both', depth: number): void {
    const node = this.selectedNode();
    // Focus follows the selection (a task, or a table: its writers and readers, tableFocus.ts);
    // with nothing selected it keeps its task and changes the rest.
    const taskId = node ? (node.kind === 'table' ? node.id : this.revealTarget(node)) : this.state.focus?.taskId;
    this.state.focus = direction === 'off' || !taskId ? null : { taskId, direction, depth };
    this.toolbar?.sync();
    void this.refresh('reframe');
  }

  setDirection(direction: PersistedViewState['direction']): void {
    this.state.direction = direction;
    void this.refresh('fresh');
  }

  toggleModule(module: string, collapsed: boolean): void {
    const set = new Set(this.state.collapsedModules);
    if (collapsed) set.add(module);
    else set.delete(module);
    this.state.collapsedModules = [...set].sort();
    void this.refresh('regroup');
  }

  setAllModules(collapsed: boolean): void {
    this.state.collapsedModules = collapsed ? this.modules().map((m) => m.module) : [];
    void this.refresh('regroup');
  }

  /** Expands a collapsed module or a family group (double-click, or the toolbar). */
  expand(id: string): void {
    const node = this.visibleNodes.get(id);
    if (!node) return;
    if (node.kind === 'module') this.toggleModule(node.module, false);
    else if (node.kind === 'family') {
      const task = this.index!.tasks.get(node.members[0]!)!;
      this.state.expandedFamilies = [...new Set([...this.state.expandedFamilies, familyKey(task)])].sort();
      void this.refresh('regroup');
    }
  }

  command(name: ViewCommandName): void {
    switch (name) {
      case 'fit':
        this.frame();
        break;
      case 'toggleScope':
        this.setScope(this.state.scope.kind === 'file' ? 'workspace' : 'file');
        break;
      case 'relayout':
        void this.refresh('fresh');
        break;
      case 'exportSvg':
        this.exportSvg();
        break;
      case 'exportPng':
        void this.exportPng().catch((error) => this.fail(error));
        break;
    }
  }

  private svgText(): string | undefined {
    if (!this.visible || !this.layout) return undefined;
    return renderLayoutSvg(this.visible, this.layout, { theme: resolvedThemeVariables(), title: 'Luigi pipeline graph' }, this.decorations?.nodes);
  }

  exportSvg(): void {
    const svg = this.svgText();
    if (svg) this.host.post({ method: ExportImage, format: 'svg', data: svg, suggestedName: 'pipeline-graph.svg' });
  }

  async exportPng(): Promise<void> {
    const svg = this.svgText();
    if (!svg || !this.layout) return;
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      const { width, height } = this.layout.bounds;
      // Browsers cap canvases near 16k px a side and ~268 M pixels: shrink huge graphs to fit.
      const scale = Math.min(2, 16000 / (width + 16), 16000 / (height + 16), Math.sqrt(200e6 / ((width + 16) * (height + 16))));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.floor((width + 16) * scale));
      canvas.height = Math.max(1, Math.floor((height + 16) * scale));
      canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
      const data = canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
      this.host.post({ method: ExportImage, format: 'png', data, suggestedName: 'pipeline-graph.png' });
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.overlay.error(message);
    this.host.post({ method: WebviewError, message });
  }

  save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.host.saveState(this.state), 200);
  }
}

/** Where the drawn layout came from, for the footer: never "cached" when ELK ran. */
/** The stats of a layout whose every component was laid out before (a host's whole drawing). */
function allCached(layout: GraphLayout): LayoutStats {
  const components = layout.components.length;
  return { components, cachedComponents: components, computedComponents: 0, elkJobs: 0, elkMs: 0 };
}

export function layoutOrigin(stats: Pick<LayoutStats, 'components' | 'computedComponents'>): string {
  if (stats.computedComponents === 0) return 'layout from cache';
  if (stats.computedComponents >= stats.components) return 'laid out';
  return `${thousands(stats.computedComponents)} of ${thousands(stats.components)} components laid out, the rest from cache`;
}

/** Keeps only well-formed fields of a state VS Code hands back (it may come from an older version). */
function sanitizeState(raw: Partial<PersistedViewState> | undefined): Partial<PersistedViewState> {
  if (!raw || raw.version !== VIEW_STATE_VERSION) return {};
  const state: Partial<PersistedViewState> = {};
  if (raw.scope && (raw.scope.kind === 'workspace' || (raw.scope.kind === 'file' && typeof raw.scope.file === 'string'))) state.scope = raw.scope;
  if (raw.direction && ['RIGHT', 'DOWN', 'LEFT', 'UP'].includes(raw.direction)) state.direction = raw.direction;
  if (Array.isArray(raw.collapsedModules)) state.collapsedModules = raw.collapsedModules.filter((m) => typeof m === 'string');
  if (Array.isArray(raw.expandedFamilies)) state.expandedFamilies = raw.expandedFamilies.filter((m) => typeof m === 'string');
  if (raw.focus && typeof raw.focus.taskId === 'string') state.focus = raw.focus;
  if (typeof raw.selectedId === 'string') state.selectedId = raw.selectedId;
  if (typeof raw.search === 'string') state.search = raw.search;
  if (typeof raw.tables === 'boolean') state.tables = raw.tables;
  if (typeof raw.viewportGraph === 'string') state.viewportGraph = raw.viewportGraph;
  const v = raw.viewport;
  if (v && [v.x, v.y, v.scale].every((n) => typeof n === 'number' && Number.isFinite(n)) && v.scale > 0) state.viewport = v;
  return state;
}
