// Draws the laid-out graph, two ways:
// - detail: SVG (labels, icons, badges, hover, click, export-identical markup), holding in the
//   DOM only the nodes and edges near the viewport, added a few hundred per frame so that no
//   frame does more than a few milliseconds of DOM work;
// - overview: one canvas drawing of everything in view, used when so many nodes are in view
//   that SVG would make every pan frame slow (a zoomed-out large graph). Labels appear there
//   as soon as they are big enough to read.
// Pan and zoom only change a transform (SVG) or redraw the canvas in the next frame.
import { decorationMarkup, edgeMarkup, nodeMarkup, svgDefs, type NodeDecoration } from '../../extension/core/graphLayout/svg';
import type { GraphLayout, Rect, VisibleEdge, VisibleGraph, VisibleNode } from '../../extension/core/graphLayout/types';
import type { Viewport } from '../../extension/shared/protocol';
import { readPalette, type Palette } from './palette';
import { BoxIndex } from './boxIndex';
import { timed } from './timing';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** At most this many nodes in view are drawn as SVG; beyond, the canvas overview takes over. */
const DETAIL_MAX_NODES = 700;
/** Back to SVG only well below the limit, so zooming around it does not flip-flop. */
const DETAIL_RESUME_NODES = 450;
/** Labels are hidden below this zoom (they would be under ~5 px tall). */
const LABEL_MIN_SCALE = 0.4;
/** DOM work allowed per frame. */
const FRAME_BUDGET_MS = 7;
/**
 * DOM work allowed in the first frame of a drawing onto an empty canvas: nothing is on screen to
 * keep smooth yet, and a few hundred nodes then appear in one frame instead of five or six
 * (~60 ms sooner at 200 tasks), still far from a long task.
 */
const FIRST_FRAME_BUDGET_MS = 40;
/** The overview is redrawn once the view has not moved for this long. */
const OVERVIEW_REST_MS = 120;
/** Nodes glide from a provisional layout into the final one this long (progressive display). */
const MOTION_MS = 250;
/** The place in a node's markup and the route in an edge's (svg.ts nodeMarkup, edgeMarkup). */
const TRANSLATE = / transform="(translate\([^)]*\))"/;
const PATH_DATA = / d="([^"]*)"/;

/** A move from earlier positions into the current layout, under way since `start`. */
interface Motion {
  from: ReadonlyMap<string, Rect>;
  start: number;
}

export interface Decorations {
  selected: string | null;
  cursor: string | null;
  /** Search matches; null when there is no search. */
  matches: ReadonlySet<string> | null;
  /** The match the search is at ("k of n"). */
  current?: string | null;
  /** Visible node id -> run state and diagnostics. */
  nodes: ReadonlyMap<string, NodeDecoration>;
}

export class Scene {
  readonly svg: SVGSVGElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly viewportGroup: SVGGElement;
  private readonly edgeLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;

  private layout: GraphLayout | undefined;
  private readonly nodeById = new Map<string, VisibleNode>();
  private readonly edgeById = new Map<string, VisibleEdge>();
  private readonly incident = new Map<string, string[]>();
  private nodeIndex = new BoxIndex(0);
  private edgeIndex = new BoxIndex(0);
  private readonly nodeElements = new Map<string, SVGGElement>();
  private readonly edgeElements = new Map<string, SVGPathElement>();
  /** The markup each element was made from, to tell whether an update changes it. */
  private readonly markup = new WeakMap<Element, string>();

  private view: Viewport = { x: 0, y: 0, scale: 1 };
  private decorations: Decorations = { selected: null, cursor: null, matches: null, nodes: new Map() };
  private mode: 'detail' | 'overview' = 'detail';
  private palette: Palette | undefined;
  private frame = 0;
  /** The view the canvas was last drawn for, and whether its content changed since. */
  private drawnView: Viewport | undefined;
  private overviewStale = true;
  private lastViewChange = 0;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  private settleWaiters: (() => void)[] = [];
  private width = 0;
  private height = 0;
  private motion: Motion | undefined;
  /** DOM work allowed in the next frame (FIRST_FRAME_BUDGET_MS once after a fresh model). */
  private budget = FRAME_BUDGET_MS;

  constructor(private readonly container: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'overview';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'lsg detail');
    this.svg.setAttribute('role', 'group');
    this.svg.setAttribute('aria-label', 'Pipeline graph');
    this.svg.innerHTML = `${svgDefs()}<g class="viewport"><g class="edges"></g><g class="nodes"></g></g>`;
    this.viewportGroup = this.svg.querySelector('g.viewport')!;
    this.edgeLayer = this.svg.querySelector('g.edges')!;
    this.nodeLayer = this.svg.querySelector('g.nodes')!;
    container.append(this.canvas, this.svg);
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  /** The container's box was read while it was in the document. */
  private measured = false;

  /**
   * The box, read now if it never was in the document: a graph carried by the page's HTML is
   * placed within the page's first task, before the first layout and the ResizeObserver's first
   * call (reading it lays the page out once, which the first frame would have done anyway).
   */
  private measure(): void {
    if (!this.measured && this.container.isConnected) this.resize();
  }

  private resize(): void {
    this.measured ||= this.container.isConnected;
    const rect = this.container.getBoundingClientRect();
    this.width = rect.width;
    this.height = rect.height;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(rect.width * dpr));
    this.canvas.height = Math.max(1, Math.round(rect.height * dpr));
    this.overviewStale = true;
    this.schedule();
  }

  get size(): { width: number; height: number } {
    this.measure();
    return { width: this.width, height: this.height };
  }

  get renderMode(): 'detail' | 'overview' {
    return this.mode;
  }

  /** `animateFrom`: the layout on screen until now (a provisional one); nodes glide from it. */
  setModel(graph: VisibleGraph, layout: GraphLayout, animateFrom?: GraphLayout): void {
    this.layout = layout;
    this.motion = animateFrom ? { from: animateFrom.nodes, start: performance.now() } : undefined;
    this.budget = this.nodeElements.size === 0 ? FIRST_FRAME_BUDGET_MS : FRAME_BUDGET_MS;
    this.nodeById.clear();
    this.edgeById.clear();
    this.incident.clear();
    this.nodeIndex = new BoxIndex(graph.nodes.length);
    this.edgeIndex = new BoxIndex(graph.edges.length);
    for (const node of graph.nodes) {
      this.nodeById.set(node.id, node);
      const rect = layout.nodes.get(node.id);
      if (rect) this.nodeIndex.insertRect(node.id, rect);
    }
    for (const edge of graph.edges) {
      this.edgeById.set(edge.id, edge);
      const points = layout.edges.get(edge.id);
      if (points) this.edgeIndex.insertPolyline(edge.id, points);
      for (const end of [edge.from, edge.to]) {
        const list = this.incident.get(end);
        if (list) list.push(edge.id);
        else this.incident.set(end, [edge.id]);
      }
    }
    // Keep every element whose markup is unchanged: after an edit, only what moved or
    // changed is redrawn, and nothing flickers.
    // An element that only moved is moved in place (no frame without it: progressive display
    // swaps every position at once).
    for (const [id, element] of this.nodeElements) {
      if (this.nodeById.has(id) && layout.nodes.has(id)) {
        const html = this.nodeHtml(id);
        const before = this.markup.get(element);
        if (before === html) continue;
        const place = TRANSLATE.exec(html);
        if (before !== undefined && place && before.replace(TRANSLATE, '') === html.replace(TRANSLATE, '')) {
          element.setAttribute('transform', place[1]!);
          this.markup.set(element, html);
          this.glide([id]);
          continue;
        }
      }
      element.remove();
      this.nodeElements.delete(id);
    }
    for (const [id, element] of this.edgeElements) {
      if (this.edgeById.has(id) && layout.edges.has(id)) {
        const html = this.edgeHtml(id);
        const before = this.markup.get(element);
        if (before === html) continue;
        const route = PATH_DATA.exec(html);
        if (before !== undefined && route && before.replace(PATH_DATA, '') === html.replace(PATH_DATA, '')) {
          element.setAttribute('d', route[1]!);
          this.markup.set(element, html);
          this.fadeIn([id]);
          continue;
        }
      }
      element.remove();
      this.edgeElements.delete(id);
    }
    this.overviewStale = true;
    this.schedule();
  }

  setViewport(view: Viewport): void {
    this.view = view;
    this.lastViewChange = performance.now();
    this.schedule();
  }

  setDecorations(next: Decorations): void {
    const before = this.decorations;
    this.decorations = next;
    const dirty = new Set<string>();
    for (const id of [before.selected, next.selected, before.cursor, next.cursor, before.current, next.current]) if (id) dirty.add(id);
    if (before.matches !== next.matches) {
      for (const id of before.matches ?? []) dirty.add(id);
      for (const id of next.matches ?? []) dirty.add(id);
    }
    if (before.nodes !== next.nodes) {
      for (const id of before.nodes.keys()) dirty.add(id);
      for (const id of next.nodes.keys()) dirty.add(id);
    }
    this.svg.classList.toggle('searching', next.matches !== null);
    for (const id of dirty) this.refreshNode(id);
    const edgesBefore = new Set([...(before.selected ? this.incident.get(before.selected) ?? [] : [])]);
    const edgesNow = new Set([...(next.selected ? this.incident.get(next.selected) ?? [] : [])]);
    for (const id of new Set([...edgesBefore, ...edgesNow])) this.edgeElements.get(id)?.classList.toggle('hl', edgesNow.has(id));
    this.overviewStale = true;
    this.schedule();
  }

  refreshTheme(): void {
    this.palette = undefined;
    this.overviewStale = true;
    this.schedule();
  }

  nodeRect(id: string): Rect | undefined {
    return this.layout?.nodes.get(id);
  }

  /** A node's rectangle on screen, relative to the container. */
  screenRect(id: string): Rect | undefined {
    const r = this.layout?.nodes.get(id);
    const { x, y, scale } = this.view;
    return r && { x: r.x * scale + x, y: r.y * scale + y, width: r.width * scale, height: r.height * scale };
  }

  /** On-screen rectangles (container coordinates) of the nodes overlapping a container rectangle. */
  screenRectsIn(area: Rect): Rect[] {
    const { x, y, scale } = this.view;
    const ids = this.nodeIndex.query({ x: (area.x - x) / scale, y: (area.y - y) / scale, width: area.width / scale, height: area.height / scale });
    return [...ids].map((id) => this.screenRect(id)!).filter(Boolean);
  }

  /** Graph coordinates of a point in the container. */
  toGraph(clientX: number, clientY: number): { x: number; y: number } {
    const rect = this.container.getBoundingClientRect();
    return { x: (clientX - rect.left - this.view.x) / this.view.scale, y: (clientY - rect.top - this.view.y) / this.view.scale };
  }

  /** The node under a point, in either mode. */
  nodeAt(clientX: number, clientY: number): string | undefined {
    const p = this.toGraph(clientX, clientY);
    let found: string | undefined;
    for (const id of this.nodeIndex.query({ x: p.x, y: p.y, width: 0, height: 0 })) {
      const r = this.layout?.nodes.get(id);
      if (r && p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height) found = id;
    }
    return found;
  }

  /** Resolves once everything in view is drawn and painted. */
  whenSettled(): Promise<void> {
    return new Promise((resolve) => {
      this.settleWaiters.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.frame === 0 && !this.held) this.frame = requestAnimationFrame(() => this.render());
  }

  private held = false;

  /** Draws nothing until `release`: a new model, its decorations and its view appear together. */
  hold(): void {
    this.held = true;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  release(): void {
    this.held = false;
    this.schedule();
  }

  private visibleRect(margin: number): Rect {
    const { x, y, scale } = this.view;
    this.measure();
    const w = this.width / scale;
    const h = this.height / scale;
    return { x: -x / scale - w * margin, y: -y / scale - h * margin, width: w * (1 + 2 * margin), height: h * (1 + 2 * margin) };
  }

  private render(): void {
    this.frame = 0;
    if (!this.layout) return this.settle();
    const inView = this.nodeIndex.query(this.visibleRect(0));
    if (this.mode === 'detail' && inView.size > DETAIL_MAX_NODES) this.mode = 'overview';
    else if (this.mode === 'overview' && inView.size <= DETAIL_RESUME_NODES) this.mode = 'detail';
    this.svg.classList.toggle('hidden', this.mode !== 'detail');
    this.canvas.classList.toggle('hidden', this.mode !== 'overview');
    this.svg.classList.toggle('lod-low', this.view.scale < LABEL_MIN_SCALE);
    let pending = false;
    const moving = this.motionProgress() < 1;
    if (moving) this.overviewStale = true;
    if (this.mode === 'detail') {
      const { x, y, scale } = this.view;
      this.viewportGroup.setAttribute('transform', `matrix(${scale},0,0,${scale},${x},${y})`);
      pending = timed('materialize', () => this.materialize());
      this.drawnView = undefined;
    } else if (this.renderOverview(inView)) {
      // Moving: waiters settle after the sharp redraw at rest.
      return;
    }
    if (pending || moving) this.schedule();
    else this.settle();
  }

  /** 0..1 through the current glide; 1 when there is none. */
  private motionProgress(): number {
    if (!this.motion) return 1;
    const t = (performance.now() - this.motion.start) / MOTION_MS;
    if (t >= 1) this.motion = undefined;
    return Math.min(1, t);
  }

  /** Where a node is drawn now: on its way from its earlier place, eased out. */
  private rectNow(id: string, rect: Rect, t: number): Rect {
    const from = t < 1 ? this.motion?.from.get(id) : undefined;
    if (!from) return rect;
    const k = 1 - (1 - t) ** 3;
    return { x: from.x + (rect.x - from.x) * k, y: from.y + (rect.y - from.y) * k, width: rect.width, height: rect.height };
  }

  /**
   * While the view moves, the last canvas drawing is moved and scaled by the compositor (a CSS
   * transform, no main-thread drawing); it is redrawn sharp once the view rests. Returns true
   * while that redraw is still due.
   */
  private renderOverview(inView: Set<string>): boolean {
    const drawn = this.drawnView;
    const moving = drawn !== undefined && !this.overviewStale && performance.now() - this.lastViewChange < OVERVIEW_REST_MS;
    if (moving) {
      const k = this.view.scale / drawn.scale;
      this.canvas.style.transform = `translate(${this.view.x - drawn.x * k}px, ${this.view.y - drawn.y * k}px) scale(${k})`;
      clearTimeout(this.restTimer);
      this.restTimer = setTimeout(() => this.schedule(), OVERVIEW_REST_MS);
      return true;
    }
    timed('drawOverview', () => this.drawOverview(inView));
    this.canvas.style.transform = '';
    this.drawnView = { ...this.view };
    this.overviewStale = false;
    return false;
  }

  private settle(): void {
    if (this.settleWaiters.length === 0) return;
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    // render() runs in an animation frame callback: a task posted from it runs once this frame's
    // style, layout, paint and commit are done (a frame sooner than waiting for the next frame).
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      waiters.forEach((resolve) => resolve());
    };
    channel.port2.postMessage(null);
  }

  // -------------------------------------------------------------------------------------------
  // Detail (SVG)
  // -------------------------------------------------------------------------------------------

  /** Adds what is near the view, drops what is far; returns true if work is left for later frames. */
  private materialize(): boolean {
    const start = performance.now();
    const near = this.visibleRect(0.5);
    const keep = this.visibleRect(1.5);
    const keepNodes = this.nodeIndex.query(keep);
    const keepEdges = this.edgeIndex.query(keep);
    for (const [id, element] of this.nodeElements) {
      if (!keepNodes.has(id)) {
        element.remove();
        this.nodeElements.delete(id);
      }
    }
    for (const [id, element] of this.edgeElements) {
      if (!keepEdges.has(id)) {
        element.remove();
        this.edgeElements.delete(id);
      }
    }
    const wantedNodes = [...this.nodeIndex.query(near)].filter((id) => !this.nodeElements.has(id));
    const wantedEdges = [...this.edgeIndex.query(near)].filter((id) => !this.edgeElements.has(id));
    // Nearest the centre first, so the middle of the screen fills in first.
    // From the view alone: reading the container's box here would force a layout of the frame's
    // changes so far (the transform just set) in the middle of an animation frame.
    const centre = { x: (this.width / 2 - this.view.x) / this.view.scale, y: (this.height / 2 - this.view.y) / this.view.scale };
    const distance = (id: string) => {
      const r = this.layout!.nodes.get(id)!;
      return Math.abs(r.x + r.width / 2 - centre.x) + Math.abs(r.y + r.height / 2 - centre.y);
    };
    if (wantedNodes.length > 200) wantedNodes.sort((a, b) => distance(a) - distance(b));
    let i = 0;
    let j = 0;
    const budget = this.budget;
    this.budget = FRAME_BUDGET_MS;
    while ((i < wantedNodes.length || j < wantedEdges.length) && performance.now() - start < budget) {
      const nodeChunk = wantedNodes.slice(i, i + 60);
      const edgeChunk = wantedEdges.slice(j, j + 90);
      i += nodeChunk.length;
      j += edgeChunk.length;
      this.insertEdges(edgeChunk);
      this.insertNodes(nodeChunk);
    }
    return i < wantedNodes.length || j < wantedEdges.length;
  }

  private nodeHtml(id: string): string {
    const node = this.nodeById.get(id)!;
    const rect = this.layout!.nodes.get(id)!;
    const { className, markup } = decorationMarkup(this.decorations.nodes.get(id), rect.width, rect.height);
    let extra = className;
    if (this.decorations.selected === id) extra += ' selected';
    if (this.decorations.cursor === id) extra += ' cursor';
    if (this.decorations.matches?.has(id)) extra += ' match';
    if (this.decorations.current === id) extra += ' current';
    return nodeMarkup(node, rect, extra, markup);
  }

  private edgeHtml(id: string): string {
    // The highlight class is toggled in place (setDecorations), so it is not part of the markup.
    return edgeMarkup(this.edgeById.get(id)!, this.layout!.edges.get(id)!);
  }

  /** Parses the markup of many elements at once (far cheaper than one by one). */
  private insert<T extends Element>(layer: SVGGElement, ids: readonly string[], html: (id: string) => string, into: Map<string, T>): void {
    if (ids.length === 0) return;
    const parts = ids.map(html);
    layer.insertAdjacentHTML('beforeend', parts.join(''));
    let element = layer.lastElementChild as T | null;
    for (let k = ids.length - 1; k >= 0 && element; k--) {
      into.set(ids[k]!, element);
      this.markup.set(element, parts[k]!);
      element = element.previousElementSibling as T | null;
    }
  }

  private insertNodes(ids: readonly string[]): void {
    this.insert(this.nodeLayer, ids, (id) => this.nodeHtml(id), this.nodeElements);
    this.glide(ids);
  }

  /** Runs the rest of the current glide on these nodes' elements. */
  private glide(ids: readonly string[]): void {
    const motion = this.motion;
    if (!motion) return;
    // A CSS transform replaces the element's transform attribute while it runs: glide between
    // the absolute places, then the attribute holds the final one.
    const left = MOTION_MS - (performance.now() - motion.start);
    if (left <= 20) return;
    for (const id of ids) {
      const from = motion.from.get(id);
      const to = this.layout!.nodes.get(id);
      if (!from || !to || (from.x === to.x && from.y === to.y)) continue;
      this.nodeElements.get(id)?.animate([{ transform: `translate(${from.x}px, ${from.y}px)` }, { transform: `translate(${to.x}px, ${to.y}px)` }], { duration: left, easing: 'cubic-bezier(0.33, 1, 0.68, 1)' });
    }
  }

  private insertEdges(ids: readonly string[]): void {
    this.insert(this.edgeLayer, ids, (id) => this.edgeHtml(id), this.edgeElements);
    this.fadeIn(ids);
    const selected = this.decorations.selected;
    if (selected) for (const id of this.incident.get(selected) ?? []) this.edgeElements.get(id)?.classList.add('hl');
  }

  /** Final routes fade in as the nodes arrive at their ends. */
  private fadeIn(ids: readonly string[]): void {
    const left = this.motion ? MOTION_MS - (performance.now() - this.motion.start) : 0;
    if (left > 20) for (const id of ids) this.edgeElements.get(id)?.animate([{ opacity: 0 }, { opacity: 0, offset: 0.5 }, { opacity: 1 }], { duration: left });
  }

  private refreshNode(id: string): void {
    const element = this.nodeElements.get(id);
    if (!element || !this.nodeById.has(id)) return;
    const html = this.nodeHtml(id);
    if (this.markup.get(element) === html) return;
    const template = document.createElementNS(SVG_NS, 'g');
    template.innerHTML = html;
    const fresh = template.firstElementChild as SVGGElement;
    element.replaceWith(fresh);
    this.nodeElements.set(id, fresh);
    this.markup.set(fresh, html);
  }

  /** Ids of the nodes currently in the DOM (tests and the benchmark read it). */
  renderedNodeIds(): string[] {
    return [...this.nodeElements.keys()];
  }

  // -------------------------------------------------------------------------------------------
  // Overview (canvas)
  // -------------------------------------------------------------------------------------------

  private drawOverview(inView: Set<string>): void {
    const palette = (this.palette ??= readPalette(this.container));
    const ctx = this.canvas.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    const { x, y, scale } = this.view;
    const layout = this.layout!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * x, dpr * y);
    const px = 1 / scale;
    const t = this.motionProgress();
    const matches = this.decorations.matches;
    const selectedEdges = new Set(this.decorations.selected ? this.incident.get(this.decorations.selected) ?? [] : []);

    // Edges: one path per style, stroked once.
    const edges = this.edgeIndex.query(this.visibleRect(0));
    const groups: Record<'solid' | 'dashed' | 'dim' | 'hl' | 'table', Path2D> = { solid: new Path2D(), dashed: new Path2D(), dim: new Path2D(), hl: new Path2D(), table: new Path2D() };
    for (const id of edges) {
      const edge = this.edgeById.get(id)!;
      const points = layout.edges.get(id);
      // Mid-glide the final routes would not meet their nodes yet: edges come at the end.
      if (!points || points.length < 4 || t < 1) continue;
      const group =
        selectedEdges.has(id) ? 'hl' : matches && !(matches.has(edge.from) && matches.has(edge.to)) ? 'dim' : edge.kind === 'dynamic' ? 'dashed' : edge.kind === 'writes' || edge.kind === 'reads' ? 'table' : 'solid';
      const path = groups[group];
      path.moveTo(points[0]!, points[1]!);
      for (let k = 2; k < points.length; k += 2) path.lineTo(points[k]!, points[k + 1]!);
    }
    ctx.lineWidth = px;
    ctx.strokeStyle = palette.edge;
    ctx.globalAlpha = 0.25;
    ctx.stroke(groups.dim);
    ctx.globalAlpha = 1;
    ctx.stroke(groups.solid);
    ctx.setLineDash([5 * px, 4 * px]);
    ctx.stroke(groups.dashed);
    ctx.setLineDash([]);
    ctx.strokeStyle = palette.table;
    ctx.stroke(groups.table);
    ctx.strokeStyle = palette.edgeHighlight;
    ctx.lineWidth = 2 * px;
    ctx.stroke(groups.hl);

    // Nodes: one path per stroke style, each filled then stroked once. Shapes are drawn
    // straight into the group's path (no Path2D per node: that alone cost ~30 ms per 1,000).
    const shapes = new Map<string, Path2D>();
    const tinyRects = new Map<string, Rect[]>();
    const dim = new Path2D();
    const pathFor = (key: string) => {
      let p = shapes.get(key);
      if (!p) shapes.set(key, (p = new Path2D()));
      return p;
    };
    // Below this zoom rounded corners and hexagon tips are sub-pixel: plain rectangles.
    const exact = scale >= 0.3;
    const addShape = (path: Path2D, kind: VisibleNode['kind'], r: Rect) => {
      if (!exact) path.rect(r.x, r.y, r.width, r.height);
      else if (kind === 'wrapper') {
        path.moveTo(r.x + 8, r.y);
        path.lineTo(r.x + r.width - 8, r.y);
        path.lineTo(r.x + r.width, r.y + r.height / 2);
        path.lineTo(r.x + r.width - 8, r.y + r.height);
        path.lineTo(r.x + 8, r.y + r.height);
        path.lineTo(r.x, r.y + r.height / 2);
        path.closePath();
      } else if (kind === 'table') path.roundRect(r.x, r.y, r.width, r.height, [{ x: r.width / 2, y: 4 }]); // a drum's outline
      else path.roundRect(r.x, r.y, r.width, r.height, kind === 'external' ? r.height / 2 : 4);
    };
    for (const id of inView) {
      const node = this.nodeById.get(id)!;
      const r = this.rectNow(id, layout.nodes.get(id)!, t);
      const state = this.decorations.nodes.get(id)?.state;
      const key =
        id === this.decorations.selected ? 'selected' : id === this.decorations.cursor ? 'cursor' : state ? `s-${state}` : matches?.has(id) ? 'match' : node.kind === 'external' ? 'external' : node.kind === 'table' ? 'table' : 'plain';
      if (exact) addShape(pathFor(key), node.kind, r);
      else {
        const list = tinyRects.get(key);
        if (list) list.push(r);
        else tinyRects.set(key, [r]);
      }
      if (matches && !matches.has(id)) addShape(dim, node.kind, r);
    }
    const strokeOf = (key: string) =>
      key === 'selected'
        ? palette.selected
        : key === 'cursor'
          ? palette.cursor
          : key === 'match'
            ? palette.match
            : key === 'table'
              ? palette.table
              : key.startsWith('s-')
                ? palette.state[key.slice(2) as keyof Palette['state']]
                : palette.nodeStroke;
    if (exact) {
      ctx.fillStyle = palette.nodeFill;
      for (const [key, path] of shapes) {
        ctx.fill(path);
        ctx.lineWidth = (key === 'plain' || key === 'external' ? 1 : key === 'table' ? 1.5 : 2.5) * px;
        ctx.strokeStyle = strokeOf(key);
        if (key === 'external') ctx.setLineDash([4 * px, 3 * px]);
        ctx.stroke(path);
        ctx.setLineDash([]);
      }
    } else {
      // Zoomed far out: an outline-coloured rectangle with the fill inset; rectangle fills are
      // the cheapest thing a canvas draws (stroking 3,000 subpaths took ~40 ms here).
      for (const [key, rects] of tinyRects) {
        const border = (key === 'plain' || key === 'external' ? 1 : 2.5) * px;
        ctx.fillStyle = strokeOf(key);
        for (const r of rects) ctx.fillRect(r.x, r.y, r.width, r.height);
        ctx.fillStyle = palette.nodeFill;
        for (const r of rects) if (r.width > 2 * border && r.height > 2 * border) ctx.fillRect(r.x + border, r.y + border, r.width - 2 * border, r.height - 2 * border);
      }
    }
    if (scale * 12 >= 5) {
      ctx.fillStyle = palette.label;
      ctx.font = `12px ${palette.fontFamily}`;
      ctx.textBaseline = 'middle';
      for (const id of inView) {
        const node = this.nodeById.get(id)!;
        const r = this.rectNow(id, layout.nodes.get(id)!, t);
        ctx.fillText(node.label, r.x + 28, r.y + (node.detail === undefined ? r.height / 2 : 15), r.width - 36);
      }
    }
    if (matches) {
      // Fade what the search does not match, as the SVG view does.
      ctx.globalAlpha = 0.7;
      ctx.fillStyle = palette.background;
      ctx.fill(dim);
      ctx.globalAlpha = 1;
    }
  }
}
