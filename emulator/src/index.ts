// The emulator toolkit's entry. Heavy modules (the gRPC client) come with provision and inspect;
// callers that must stay light (the CLI's warm path) import ./lifecycle directly.
export * from './settings';
export * from './types';
export * from './lifecycle';
export { emulatorClientEnv, assertEmulatorHost } from './env';
export { databaseHandle, emulatorSpanner } from './client';
export {
  provision,
  readMigrationLedger,
  dropDatabase,
  LEDGER_TABLE,
  type Target,
  type ProvisionResult,
  type ProvisionOptions,
  type LedgerRow,
} from './provision';
export { loadMigrations, loadSeeds, splitStatements, type Migration, type SeedFile } from './migrations';
export { runQuery, listTables, readMarkers, inspectDatabase, type QueryResult, type TableInfo, type Inspection } from './inspect';
export { dockerLogs, dockerImageExists } from './docker';
export { binaryLogFile } from './binary';
export { describeEmulator } from './describe';
