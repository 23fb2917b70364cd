// Graph view benchmark runner (bench/graph-view.ts). Needs `npm run build` first.
// Usage: node bench/graph-view.mjs [sizes=200,1000,3000] [shape=pipeline|random]
import { runTs } from './run-ts.mjs';

await runTs('graph-view.ts');
