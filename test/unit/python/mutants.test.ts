// Syntax errors only where Python itself fails: seeded mutants of real files (the installed Luigi
// package's modules and this repository's sample pipelines), each cut by one edit a user makes by
// accident (a character or token deleted, inserted or doubled, a bracket opened or lost, a line
// indented wrongly or swapped, the file cut short), are judged by Python's own `ast.parse` (one
// process for the whole batch) and by the analysis. A mutant Python accepts must get no
// syntax-error diagnostic; of those Python rejects, the share the analysis reports (recall) is printed
// and held above a floor.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import { REPO_ROOT, testPython } from '../../support/python';
import { seededRandom } from '../../support/random';

const MUTANTS = 400;
const SEED = 14;
/** Measured with this seed: 0.995 (203 of the 204 mutants Python rejects; 0.985 before invalid assignment targets were reported). Below the floor, error detection was lost. */
const RECALL_FLOOR = 0.95;

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|\d[\d_.]*|\*\*|\/\/|==|!=|<=|>=|->|:=|[-+*/%@&|^~<>()[\]{}:;,.=]/g;

function tokens(text: string): Array<{ from: number; to: number }> {
  return [...text.matchAll(TOKEN)].map((m) => ({ from: m.index, to: m.index + m[0].length }));
}

type Mutation = (text: string, pick: (n: number) => number) => string;

const MUTATIONS: Record<string, Mutation> = {
  'delete a character': (t, pick) => {
    const at = pick(t.length);
    return t.slice(0, at) + t.slice(at + 1);
  },
  'insert a character': (t, pick) => {
    const chars = ' ()[]{}:,.\'"=\n\t#\\@*-';
    const at = pick(t.length + 1);
    return t.slice(0, at) + chars[pick(chars.length)] + t.slice(at);
  },
  'delete a token': (t, pick) => {
    const all = tokens(t);
    const token = all[pick(all.length)]!;
    return t.slice(0, token.from) + t.slice(token.to);
  },
  'double a token': (t, pick) => {
    const all = tokens(t);
    const token = all[pick(all.length)]!;
    return t.slice(0, token.to) + t.slice(token.from, token.to) + t.slice(token.to);
  },
  'open a bracket': (t, pick) => {
    const all = tokens(t);
    const token = all[pick(all.length)]!;
    return t.slice(0, token.from) + '([{'[pick(3)] + t.slice(token.from);
  },
  'lose a closing bracket': (t, pick) => {
    const closers = [...t.matchAll(/[)\]}]/g)].map((m) => m.index);
    if (closers.length === 0) return t;
    const at = closers[pick(closers.length)]!;
    return t.slice(0, at) + t.slice(at + 1);
  },
  'indent a line wrongly': (t, pick) => {
    const lines = t.split('\n');
    const candidates = lines.map((line, i) => (line.trim() && !line.trim().startsWith('#') ? i : -1)).filter((i) => i >= 0);
    const i = candidates[pick(candidates.length)]!;
    const line = lines[i]!;
    const indent = line.length - line.trimStart().length;
    lines[i] = pick(2) === 0 && indent > 0 ? line.slice(Math.min(indent, 1 + pick(4))) : ' '.repeat(1 + pick(4)) + line;
    return lines.join('\n');
  },
  'swap two lines': (t, pick) => {
    const lines = t.split('\n');
    const i = pick(lines.length - 1);
    [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    return lines.join('\n');
  },
  'cut the file short': (t, pick) => t.slice(0, pick(t.length)),
};

const JUDGE = `
import ast, json, sys
verdicts = []
for source in json.load(sys.stdin):
    try:
        ast.parse(source)
        verdicts.append(None)
    except (SyntaxError, ValueError) as error:
        verdicts.append(getattr(error, "lineno", None) or 0)
print(json.dumps(verdicts))
`;

function realFiles(): Array<{ name: string; text: string }> {
  const luigi = execFileSync(testPython(), ['-c', 'import luigi, os; print(os.path.dirname(luigi.__file__))'], { encoding: 'utf8' }).trim();
  const files = readdirSync(luigi)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => ({ name: `luigi/${f}`, text: readFileSync(path.join(luigi, f), 'utf8') }));
  const samples = readdirSync(path.join(REPO_ROOT, 'samples'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => ({ name: `samples/${f}`, text: readFileSync(path.join(REPO_ROOT, 'samples', f), 'utf8') }));
  // Files of a moderate size keep the batch quick; the big ones are covered by the corpus test.
  return [...files, ...samples].filter((f) => f.text.length > 200 && f.text.length < 60_000);
}

describe('seeded mutants of real files, judged by ast.parse', () => {
  it('reports no syntax error where Python accepts the code, and most of those Python rejects', () => {
    const files = realFiles();
    expect(files.length).toBeGreaterThan(20);
    const next = seededRandom(SEED);
    const pick = (n: number) => Math.floor(next() * n);
    const names = Object.keys(MUTATIONS);
    const mutants = Array.from({ length: MUTANTS }, () => {
      const file = files[pick(files.length)]!;
      const kind = names[pick(names.length)]!;
      return { file: file.name, kind, text: MUTATIONS[kind]!(file.text, pick) };
    });
    const verdicts = JSON.parse(execFileSync(testPython(), ['-c', JUDGE], { input: JSON.stringify(mutants.map((m) => m.text)), encoding: 'utf8', maxBuffer: 64 << 20 })) as Array<number | null>;
    expect(verdicts).toHaveLength(MUTANTS);

    const falseErrors: string[] = [];
    let rejected = 0;
    let found = 0;
    let nearby = 0;
    const missedByKind = new Map<string, number>();
    mutants.forEach((mutant, i) => {
      const errors = extractModuleFacts(mutant.text).syntaxErrors;
      const pythonLine = verdicts[i];
      if (pythonLine === null || pythonLine === undefined) {
        if (errors.length > 0) falseErrors.push(`#${i} ${mutant.kind} of ${mutant.file}: line ${errors[0]!.line}: ${errors[0]!.message}`);
        return;
      }
      rejected++;
      if (errors.length > 0) {
        found++;
        if (errors.some((e) => Math.abs(e.line - pythonLine) <= 2)) nearby++;
      } else missedByKind.set(mutant.kind, (missedByKind.get(mutant.kind) ?? 0) + 1);
    });
    const recall = found / rejected;
    console.log(
      `${MUTANTS} mutants of ${files.length} files: Python accepts ${MUTANTS - rejected}, of which ${falseErrors.length} get a syntax error; ` +
        `rejects ${rejected}, of which ${found} get one (recall ${recall.toFixed(3)}; ${nearby} within 2 lines of Python's). ` +
        `Missed by kind: ${JSON.stringify(Object.fromEntries(missedByKind))}`,
    );
    expect(falseErrors).toEqual([]);
    expect(recall).toBeGreaterThanOrEqual(RECALL_FLOOR);
  }, 120_000);
});
