// Which Python parser the analysis core stands on, measured three ways, for three parsers:
// this project's fork of the lezer grammar (extension/core/python/grammar/), upstream
// @lezer/python, and tree-sitter-python through web-tree-sitter (both upstreams are dev
// dependencies kept for this comparison only).
//   1. correctness: files of the interpreter's standard library (those `ast.parse` accepts)
//      where a parser reports any syntax error — each one a false error;
//   2. tolerance: an unclosed call a third of the way into a generated 400-class Luigi module,
//      how many classes each still sees;
//   3. speed on that module: cold start, full parse, re-parse after a one-line edit, a walk of every node.
// Usage: node bench/parsers.mjs [--tasks 400] [--python python3] [--no-corpus]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
};
const tasks = Number(option('tasks', 400));
const python = option('python', 'python3');
const corpus = !process.argv.includes('--no-corpus');

const work = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-parsers-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function luigiModule(n) {
  let source = 'import datetime\nimport luigi\n\n';
  for (let i = 0; i < n; i++) {
    source += `class Task${i}(luigi.Task):
    """Task number ${i}."""
    date = luigi.DateParameter(default=datetime.date(2024, 1, 1))
    limit = luigi.IntParameter(default=${i}, significant=False)

    def requires(self):
        deps = [Task${Math.max(0, i - 1)}(date=self.date)]
        if self.limit > 3:
            deps.append(Task${Math.max(0, i - 2)}(date=self.date))
        return deps

    def output(self):
        return luigi.LocalTarget(f"/tmp/out/{self.date:%Y%m%d}/task${i}.csv")

    def run(self):
        rows = []
        for line in self.input()[0].open("r"):
            fields = line.strip().split(",")
            rows.append((fields[0], int(fields[1]) * 2))
        with self.output().open("w") as out:
            for a, b in rows:
                out.write(f"{a},{b}\\n")

`;
  }
  return source;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median of `repeat` runs; `fn` may return the milliseconds it wants counted instead of its own duration. */
function time(fn, repeat = 15) {
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const own = fn();
    samples.push(typeof own === 'number' ? own : performance.now() - t0);
  }
  return median(samples);
}
const ms = (x) => `${x.toFixed(1)} ms`;

const source = luigiModule(tasks);
const lines = source.split('\n').length;
const editFrom = 'limit = luigi.IntParameter(default=7';
const editAt = source.indexOf(editFrom) + editFrom.length - 1;
const edited = source.slice(0, editAt) + '8' + source.slice(editAt + 1);
// A broken statement a third of the way in: an unclosed call.
const brokenAt = source.indexOf(`class Task${Math.floor(tasks / 3)}(`);
const broken = source.slice(0, brokenAt) + 'oops = luigi.IntParameter(\n\n' + source.slice(brokenAt);

/** The standard library's files that Python itself parses, as [path, text]. */
function standardLibrary() {
  const script = [
    'import ast, os, sys, sysconfig',
    'root = sysconfig.get_paths()["stdlib"]',
    'print(sys.version.split()[0]); print(root)',
    'for d, dirs, files in os.walk(root):',
    '    dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "dist-packages", "__pycache__"))',
    '    for f in sorted(files):',
    '        if not f.endswith(".py"): continue',
    '        p = os.path.join(d, f)',
    '        try:',
    '            data = open(p, "rb").read(); ast.parse(data); data.decode("utf-8"); print(p)',
    '        except (SyntaxError, ValueError, UnicodeDecodeError): pass',
  ].join('\n');
  const [version, stdlib, ...files] = execFileSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n');
  return { version, stdlib, files: files.map((file) => [file, readFileSync(file, 'utf8')]) };
}

// --- the three parsers, behind one small interface ---
/** lezer parsers (the fork and upstream) share one API. */
function lezer(name, parser, TreeFragment) {
  const countErrors = (tree) => {
    let errors = 0;
    tree.iterate({ enter: (n) => { if (n.type.isError) errors++; } });
    return errors;
  };
  return {
    name,
    parse: (text) => parser.parse(text),
    hasError: (text) => countErrors(parser.parse(text)) > 0,
    reparse: () => {
      const tree = parser.parse(source);
      const fragments = TreeFragment.applyChanges(TreeFragment.addTree(tree), [{ fromA: editAt, toA: editAt + 1, fromB: editAt, toB: editAt + 1 }]);
      const t0 = performance.now();
      parser.parse(edited, fragments);
      return performance.now() - t0;
    },
    walk: () => {
      const tree = parser.parse(source);
      let nodes = 0;
      const spent = time(() => {
        const cursor = tree.cursor();
        nodes = 0;
        do nodes++;
        while (cursor.next());
      });
      return { nodes, spent };
    },
    classesInBroken: () => {
      let classes = 0;
      parser.parse(broken).iterate({ enter: (n) => { if (n.name === 'ClassDefinition') classes++; } });
      return { classes, errors: countErrors(parser.parse(broken)) };
    },
  };
}

async function fork() {
  const t0 = performance.now();
  const bundle = path.join(work, 'fork.mjs');
  await esbuild.build({
    // parseTree: the parser as the analysis calls it (with the deep-tree build of deep-trees.ts).
    stdin: { contents: "export { parseTree } from './extension/core/python/deep-trees';\nexport { TreeFragment } from '@lezer/common';\n", resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
  });
  const built = performance.now() - t0;
  const start = performance.now();
  const { parseTree, TreeFragment } = await import(pathToFileURL(bundle).href);
  return { ...lezer('fork (ours)', { parse: parseTree }, TreeFragment), cold: performance.now() - start, note: `(bundled in ${ms(built)}, not counted)` };
}

async function upstream() {
  const start = performance.now();
  const { parser } = await import('@lezer/python');
  const { TreeFragment } = await import('@lezer/common');
  return { ...lezer('@lezer/python 1.1.19', parser, TreeFragment), cold: performance.now() - start };
}

async function treeSitter() {
  const start = performance.now();
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init({ wasmBinary: readFileSync(path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm')) });
  const language = await Language.load(readFileSync(path.join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm')));
  const parser = new Parser();
  parser.setLanguage(language);
  const cold = performance.now() - start;
  const point = (index, text) => ({ row: text.slice(0, index).split('\n').length - 1, column: index - text.lastIndexOf('\n', index - 1) - 1 });
  return {
    name: 'tree-sitter-python 0.25',
    cold,
    parse: (text) => parser.parse(text).delete(),
    hasError: (text) => {
      const tree = parser.parse(text);
      const error = tree.rootNode.hasError;
      tree.delete();
      return error;
    },
    reparse: () => {
      const tree = parser.parse(source);
      const at = point(editAt, source);
      const after = { row: at.row, column: at.column + 1 };
      tree.edit({ startIndex: editAt, oldEndIndex: editAt + 1, newEndIndex: editAt + 1, startPosition: at, oldEndPosition: after, newEndPosition: after });
      const t0 = performance.now();
      const next = parser.parse(edited, tree);
      const spent = performance.now() - t0;
      next.delete();
      tree.delete();
      return spent;
    },
    walk: () => {
      const tree = parser.parse(source);
      let nodes = 0;
      const spent = time(() => {
        const cursor = tree.walk();
        nodes = 0;
        for (;;) {
          nodes++;
          if (cursor.gotoFirstChild()) continue;
          while (!cursor.gotoNextSibling()) {
            if (!cursor.gotoParent()) {
              cursor.delete();
              return;
            }
          }
        }
      });
      tree.delete();
      return { nodes, spent };
    },
    classesInBroken: () => {
      const tree = parser.parse(broken);
      const result = { classes: tree.rootNode.descendantsOfType('class_definition').length, errors: tree.rootNode.descendantsOfType('ERROR').length };
      tree.delete();
      return result;
    },
  };
}

const parsers = [await fork(), await upstream(), await treeSitter()];

if (corpus) {
  const { version, stdlib, files } = standardLibrary();
  const lineCount = files.reduce((sum, [, text]) => sum + text.split('\n').length, 0);
  console.log(`1. correctness: Python ${version} standard library (${stdlib}), ${files.length} files that ast.parse accepts, ${lineCount} lines`);
  for (const parser of parsers) {
    const t0 = performance.now();
    const flagged = files.filter(([, text]) => parser.hasError(text)).map(([file]) => path.relative(stdlib, file));
    const spent = performance.now() - t0;
    const shown = flagged.length <= 5 ? `: ${flagged.join(', ')}` : `, e.g. ${flagged.slice(0, 3).join(', ')}`;
    console.log(`   ${parser.name.padEnd(26)} false syntax errors in ${String(flagged.length).padStart(4)} files${flagged.length ? shown : ''} (parsed in ${(spent / 1000).toFixed(1)} s)`);
  }
  console.log('');
}

console.log(`2. tolerance: a generated ${lines}-line module of ${tasks} task classes with an unclosed call before class ${Math.floor(tasks / 3)}`);
for (const parser of parsers) {
  const { classes, errors } = parser.classesInBroken();
  console.log(`   ${parser.name.padEnd(26)} ${classes}/${tasks} classes still found, ${errors} error nodes`);
}
console.log('');

console.log(`3. speed on the same module (unbroken), median of 15`);
for (const parser of parsers) {
  const t0 = performance.now();
  parser.parse(source);
  const first = performance.now() - t0;
  const full = time(() => parser.parse(source));
  const reparse = time(() => parser.reparse());
  const { nodes, spent } = parser.walk();
  console.log(`   ${parser.name.padEnd(26)} cold ${ms(parser.cold)}, first parse ${ms(first)}, full parse ${ms(full)}, one-line edit re-parse ${ms(reparse)}, walk over ${nodes} nodes ${ms(spent)} ${parser.note ?? ''}`);
}
