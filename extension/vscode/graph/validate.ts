// Every message from the graph webview is checked here before the host acts on it: the
// webview renders workspace content (task names, docstrings) and is treated as untrusted.
// Pure (no `vscode`), so it is unit-tested without an editor.
import { z } from 'zod';
import { componentLayoutSchema } from '../../core/graphLayout/schema';
import {
  ExportImage,
  LayoutCacheLookup,
  LayoutCacheStore,
  LayoutRun,
  LAYOUT_DIRECTIONS,
  PreviewTaskRows,
  Ready,
  RenderStats,
  RevealTable,
  RevealTask,
  WebviewError,
  type WebviewToHostMessage,
} from '../../shared/protocol';

const MAX_ENTRIES = 5000;
/** A 30,000-node graph exported as PNG stays well under this. */
const MAX_EXPORT_CHARS = 256 * 1024 * 1024;
const count = z.number().int().nonnegative();
const finite = z.number().finite();
/** What ELK needs of a component; the language server lays it out (a DoS bound, not a trust one). */
const jobComponent = z.object({
  key: z.string().regex(/^[0-9a-f]{28}$/),
  nodes: z.array(z.object({ id: z.string().max(2000), width: finite.nonnegative().max(10_000), height: finite.nonnegative().max(10_000) })).max(50_000),
  edges: z.array(z.object({ id: z.string().max(4010), from: z.string().max(2000), to: z.string().max(2000) })).max(200_000),
});

const schema = z.discriminatedUnion('method', [
  z.object({ method: z.literal(Ready), protocolVersion: z.number().int() }),
  z.object({ method: z.literal(RevealTask), taskId: z.string().min(1).max(2000) }),
  // Spanner names are at most 128 characters; the host opens only a table the graph holds.
  z.object({ method: z.literal(RevealTable), table: z.string().min(1).max(256) }),
  z.object({ method: z.literal(PreviewTaskRows), taskId: z.string().min(1).max(2000) }),
  z.object({ method: z.literal(LayoutCacheLookup), requestId: count, keys: z.array(z.string().regex(/^[0-9a-f]{28}$/)).max(MAX_ENTRIES) }),
  z.object({ method: z.literal(LayoutCacheStore), entries: z.array(componentLayoutSchema).max(MAX_ENTRIES) }),
  z.object({
    method: z.literal(LayoutRun),
    requestId: count,
    jobs: z.array(z.object({ direction: z.enum(LAYOUT_DIRECTIONS as ['RIGHT', 'DOWN', 'LEFT', 'UP']), components: z.array(jobComponent).max(MAX_ENTRIES) })).max(MAX_ENTRIES),
  }),
  z.object({
    method: z.literal(ExportImage),
    format: z.enum(['svg', 'png']),
    data: z.string().min(1).max(MAX_EXPORT_CHARS),
    // Only a file name: the host asks the user where to save it.
    suggestedName: z.string().regex(/^[\w.-]{1,100}$/),
  }),
  z.object({
    method: z.literal(RenderStats),
    nodes: count,
    edges: count,
    totalMs: z.number().nonnegative(),
    layoutMs: z.number().nonnegative(),
    cachedComponents: count,
    computedComponents: count,
    firstPaintMs: z.number().nonnegative().optional(),
    layoutSource: z.enum(['server', 'webview', 'cache']).optional(),
  }),
  z.object({ method: z.literal(WebviewError), message: z.string().max(10_000) }),
]) satisfies z.ZodType<WebviewToHostMessage>;

export type ValidationResult = { ok: true; message: WebviewToHostMessage } | { ok: false; error: string };

export function validateWebviewMessage(raw: unknown): ValidationResult {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const method = typeof raw === 'object' && raw !== null && 'method' in raw ? String((raw as { method: unknown }).method).slice(0, 60) : '(none)';
  return { ok: false, error: `rejected graph webview message ${method}: ${z.prettifyError(parsed.error).slice(0, 500)}` };
}
