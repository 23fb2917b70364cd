// Copies the sample pipeline shipped with the extension into a folder of the user's choosing
// (the walkthrough's "Open the sample"): the extension folder itself is read-only and replaced on update.
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';

export const SAMPLE_FOLDER_NAME = 'luigi-spanner-orders';

/**
 * Copies `source` into a new folder under `parent` (`luigi-spanner-orders`, else `-2`, `-3`...,
 * never into an existing one) and returns its path. Compiled Python files are left behind.
 */
export function copySample(source: string, parent: string): string {
  if (!existsSync(path.join(source, 'pipeline.py'))) throw new Error(`The sample is missing from ${source}: reinstall the extension.`);
  let target = path.join(parent, SAMPLE_FOLDER_NAME);
  for (let n = 2; existsSync(target); n++) target = path.join(parent, `${SAMPLE_FOLDER_NAME}-${n}`);
  cpSync(source, target, { recursive: true, filter: (file) => !file.endsWith('.pyc') && path.basename(file) !== '__pycache__' });
  return target;
}
