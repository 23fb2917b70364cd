// Finding and reading the Python files of a workspace. Binary, huge and non-UTF-8 files are
// not analysed; the caller shows why as a diagnostic.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folders never searched for pipeline code (besides hidden ones and virtual environments). */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env']);
/** Larger files are generated or data, not pipeline code. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export type SourceRead = { text: string } | { skipped: string };

/** Reads a Python file as UTF-8 text, or says why it is skipped. */
export function readPythonSource(file: string): SourceRead {
  const read = readPythonBytes(file);
  return 'skipped' in read ? read : decodePython(read.bytes);
}

/** The bytes of a Python file, unless it is too large or binary. */
export function readPythonBytes(file: string): { bytes: Buffer } | { skipped: string } {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) {
    return { skipped: `Skipped: ${(size / 1024 / 1024).toFixed(1)} MB is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MB analysed per file` };
  }
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 8192).includes(0)) return { skipped: 'Skipped: binary file (contains NUL bytes)' };
  return { bytes };
}

/** UTF-8 text without a byte-order mark, or why it is not. */
export function decodePython(bytes: Uint8Array): SourceRead {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { skipped: 'Skipped: not valid UTF-8 (re-save the file as UTF-8 to analyse it)' };
  }
}

function skipFolder(folder: string, name: string): boolean {
  if (name.startsWith('.') || SKIPPED_FOLDERS.has(name)) return true;
  // Any virtual environment, whatever its name.
  try {
    statSync(path.join(folder, name, 'pyvenv.cfg'));
    return true;
  } catch {
    return false;
  }
}

/** Every .py file under `start` (a file or a folder), absolute paths, sorted. */
export function findPythonFiles(start: string): string[] {
  const stat = statSync(start);
  if (stat.isFile()) return start.endsWith('.py') ? [start] : [];
  const found: string[] = [];
  const pending = [start];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: nothing to analyse there
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!skipFolder(folder, entry.name)) pending.push(path.join(folder, entry.name));
      } else if (entry.isFile() && entry.name.endsWith('.py')) found.push(path.join(folder, entry.name));
    }
  }
  return found.sort();
}
