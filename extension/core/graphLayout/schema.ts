// Runtime check of a component layout that crossed a trust boundary: read back from the
// cache folder (a file anyone could edit) or posted by the webview. Node-side only: the
// webview bundle never imports zod. zod/mini (about 30 KB bundled, full zod about 450 KB): the
// language server and the extension host compile it at every start.
import * as z from 'zod/mini';
import type { ComponentLayout } from './types';

/** zod 4's numbers are finite (no Infinity, no NaN). */
const finite = z.number();
const size = z.number().check(z.nonnegative());

export const componentLayoutSchema = z.object({
  key: z.string().check(z.regex(/^[0-9a-f]{28}$/)),
  width: size,
  height: size,
  nodes: z.record(z.string().check(z.maxLength(2000)), z.tuple([finite, finite, finite, finite])),
  edges: z.record(z.string().check(z.maxLength(4010)), z.array(finite).check(z.maxLength(20_000))),
}) satisfies z.ZodMiniType<ComponentLayout>;
