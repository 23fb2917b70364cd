// Runtime check of a component layout that crossed a trust boundary: read back from the
// cache folder (a file anyone could edit) or posted by the webview. Node-side only: the
// webview bundle never imports zod.
import { z } from 'zod';
import type { ComponentLayout } from './types';

const finite = z.number().finite();

export const componentLayoutSchema = z.object({
  key: z.string().regex(/^[0-9a-f]{28}$/),
  width: finite.nonnegative(),
  height: finite.nonnegative(),
  nodes: z.record(z.string().max(2000), z.tuple([finite, finite, finite, finite])),
  edges: z.record(z.string().max(4010), z.array(finite).max(20_000)),
}) satisfies z.ZodType<ComponentLayout>;
