// Messages between the webview and its layout workers (internal to the webview).
import type { LayoutJobSpec } from '../../extension/core/graphLayout/elk';
import type { ComponentLayout } from '../../extension/core/graphLayout/types';

export interface LayoutWorkerRequest {
  id: number;
  job: LayoutJobSpec;
}

export type LayoutWorkerResponse = { id: number; layouts: ComponentLayout[] } | { id: number; error: string };
