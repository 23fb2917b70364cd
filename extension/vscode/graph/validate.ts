// Every message from the graph webview is checked here before the host acts on it: the
// webview renders workspace content (task names, docstrings) and is treated as untrusted.
// Pure (no `vscode`), so it is unit-tested without an editor.
// zod/mini: about 30 KB of the extension host's bundle where full zod was about 450 KB.
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
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
// The rejection messages in English (zod/mini carries no locale of its own).
z.config(en());

const count = z.int().check(z.nonnegative());
/** zod 4's numbers are finite (no Infinity, no NaN). */
const nonnegative = z.number().check(z.nonnegative());
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const upTo = <T extends z.ZodMiniType>(item: T, max: number) => z.array(item).check(z.maxLength(max));
const structureKey = z.string().check(z.regex(/^[0-9a-f]{28}$/));
/** What ELK needs of a component; the language server lays it out (a DoS bound, not a trust one). */
const jobComponent = z.object({
  key: structureKey,
  nodes: upTo(z.object({ id: text(0, 2000), width: z.number().check(z.nonnegative(), z.maximum(10_000)), height: z.number().check(z.nonnegative(), z.maximum(10_000)) }), 50_000),
  edges: upTo(z.object({ id: text(0, 4010), from: text(0, 2000), to: text(0, 2000) }), 200_000),
});

const schema = z.discriminatedUnion('method', [
  z.object({ method: z.literal(Ready), protocolVersion: z.int() }),
  z.object({ method: z.literal(RevealTask), taskId: text(1, 2000) }),
  // Spanner names are at most 128 characters; the host opens only a table the graph holds.
  z.object({ method: z.literal(RevealTable), table: text(1, 256) }),
  z.object({ method: z.literal(PreviewTaskRows), taskId: text(1, 2000) }),
  z.object({ method: z.literal(LayoutCacheLookup), requestId: count, keys: upTo(structureKey, MAX_ENTRIES) }),
  z.object({ method: z.literal(LayoutCacheStore), entries: upTo(componentLayoutSchema, MAX_ENTRIES) }),
  z.object({
    method: z.literal(LayoutRun),
    requestId: count,
    jobs: upTo(z.object({ direction: z.enum(LAYOUT_DIRECTIONS as ['RIGHT', 'DOWN', 'LEFT', 'UP']), components: upTo(jobComponent, MAX_ENTRIES) }), MAX_ENTRIES),
  }),
  z.object({
    method: z.literal(ExportImage),
    format: z.enum(['svg', 'png']),
    data: text(1, MAX_EXPORT_CHARS),
    // Only a file name: the host asks the user where to save it.
    suggestedName: z.string().check(z.regex(/^[\w.-]{1,100}$/)),
  }),
  z.object({
    method: z.literal(RenderStats),
    nodes: count,
    edges: count,
    totalMs: nonnegative,
    layoutMs: nonnegative,
    cachedComponents: count,
    computedComponents: count,
    firstPaintMs: z.optional(nonnegative),
    layoutSource: z.optional(z.enum(['server', 'webview', 'cache'])),
  }),
  z.object({ method: z.literal(WebviewError), message: text(0, 10_000) }),
]) satisfies z.ZodMiniType<WebviewToHostMessage>;

export type ValidationResult = { ok: true; message: WebviewToHostMessage } | { ok: false; error: string };

export function validateWebviewMessage(raw: unknown): ValidationResult {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const method = typeof raw === 'object' && raw !== null && 'method' in raw ? String((raw as { method: unknown }).method).slice(0, 60) : '(none)';
  return { ok: false, error: `rejected graph webview message ${method}: ${z.prettifyError(parsed.error).slice(0, 500)}` };
}
