// The first module extension.ts imports, so the startup trace (bench/code-server-scenario.mjs) sees
// when the extension host began evaluating dist/extension.js, before the modules below it.
import { traceStartup } from '../shared/startupTrace';

traceStartup('host/bundleLoading');
