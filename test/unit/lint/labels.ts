// Reads the labels of the lint corpus (see test/fixtures/lint/README.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Label {
  file: string;
  line: number;
  code: string;
}

const LABEL = /(?:#|--)\s*expect(?:-next)?:\s*((?:LS\d{3})(?:\s*,\s*LS\d{3})*)/;

/** Labels of every .py and .sql file under `root`, files relative to `root`. */
export function readLabels(root: string): Label[] {
  const labels: Label[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(py|sql)$/.test(name)) labels.push(...labelsOf(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8')));
    }
  };
  walk(root);
  return labels;
}

export function labelsOf(file: string, text: string): Label[] {
  const lines = text.split('\n');
  const labels: Label[] = [];
  lines.forEach((content, index) => {
    const match = LABEL.exec(content);
    if (!match) return;
    const codes = match[1]!.split(',').map((c) => c.trim());
    let line = index + 1;
    if (/^\s*(#|--)/.test(content)) {
      // Alone on its line: the next line that is not a comment.
      let next = index + 1;
      while (next < lines.length && /^\s*(#|--)/.test(lines[next]!)) next++;
      line = next + 1;
    }
    for (const code of codes) labels.push({ file, line, code });
  });
  return labels;
}
