// ELK's cost on the benches' graphs, as the language server lays them out (bench/layout-cost.ts).
// Usage: node bench/layout-cost.mjs [--cap MB] [--flat] [--only NAME]
import { runTs } from './run-ts.mjs';

await runTs('layout-cost.ts');
