// The new graph panel's boot timeline (bench/graph-boot.ts). Needs `node scripts/build.mjs`.
// Usage: flock /tmp/heavy.lock node bench/graph-boot.mjs [tasks=200] [rounds=5]
import { runTs } from './run-ts.mjs';

await runTs('graph-boot.ts');
