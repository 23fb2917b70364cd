// Our graph view beside Luigi's own visualiser, on the same generated pipelines, in one run
// (bench/graph-compare.ts). Needs `node scripts/build.mjs` and the venv (`bash scripts/setup.sh`).
// Usage: flock /tmp/heavy.lock node bench/graph-compare.mjs [sizes=200,1000,3000]
// Env: ROUNDS (3), D3_MAX_TASKS (tasks up to which Luigi's D3 renderer is timed; default 1000,
// it took 97 s at 3,000), D3_ROUNDS (rounds of it; default ROUNDS), LUIGI_ROUNDS (of its SVG
// renderer; default ROUNDS; LUIGI_ROUNDS=0 D3_MAX_TASKS=0 time ours alone while working on it).
import { runTs } from './run-ts.mjs';

await runTs('graph-compare.ts');
