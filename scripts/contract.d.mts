// Types of scripts/contract.mjs for the tests that import it.
export interface Contract {
  version: number;
  env: Record<string, string> & { emulatorHost: string; multiplexedSessionSwitches: string[] };
  events: { shapes: Record<string, Record<string, string>>; types: Record<string, { task: boolean; fields: Record<string, string> }> };
  [section: string]: unknown;
}
export const CONTRACT_FILE: string;
export function readContract(file?: string): Contract;
export function renderTypeScript(contract: Contract): string;
export function renderPython(contract: Contract): string;
/** The generated files (relative to the repo) that differ from what the contract gives. */
export function staleFiles(): string[];
