// Which Python parser the analysis core stands on: web-tree-sitter + tree-sitter-python
// against @lezer/python, on the same generated Luigi module.
// Prints cold start, full parse, reparse after a one-line edit, and how many classes each
// still sees when a statement in the middle of the file is broken.
// Usage: node bench/parsers.mjs [tasks-per-file=400]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tasks = Number(process.argv[2] ?? 400);

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

const source = luigiModule(tasks);
const lines = source.split('\n').length;
const editAt = source.indexOf('limit = luigi.IntParameter(default=7');
const edited = source.slice(0, editAt) + 'limit = luigi.IntParameter(default=8' + source.slice(editAt + 'limit = luigi.IntParameter(default=7'.length);
// A broken statement a third of the way in: an unclosed call.
const brokenAt = source.indexOf(`class Task${Math.floor(tasks / 3)}(`);
const broken = source.slice(0, brokenAt) + 'oops = luigi.IntParameter(\n\n' + source.slice(brokenAt);

console.log(`generated module: ${lines} lines, ${tasks} task classes\n`);

// --- tree-sitter ---
{
  let t0 = performance.now();
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init({ wasmBinary: readFileSync(path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm')) });
  const python = await Language.load(readFileSync(path.join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm')));
  const parser = new Parser();
  parser.setLanguage(python);
  const cold = performance.now() - t0;
  t0 = performance.now();
  parser.parse(source).delete();
  const first = performance.now() - t0;
  const full = time(() => parser.parse(source).delete());
  const reparse = time(() => {
    const tree = parser.parse(source);
    const index = editAt + 'limit = luigi.IntParameter(default='.length;
    const row = source.slice(0, index).split('\n').length - 1;
    const column = index - source.lastIndexOf('\n', index - 1) - 1;
    tree.edit({
      startIndex: index, oldEndIndex: index + 1, newEndIndex: index + 1,
      startPosition: { row, column }, oldEndPosition: { row, column: column + 1 }, newEndPosition: { row, column: column + 1 },
    });
    const t = performance.now();
    const next = parser.parse(edited, tree);
    const spent = performance.now() - t;
    next.delete();
    tree.delete();
    return spent;
  });
  const walked = parser.parse(source);
  let nodes = 0;
  const walk = time(() => {
    const cursor = walked.walk();
    nodes = 0;
    for (;;) {
      nodes++;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) { cursor.delete(); return; }
    }
  });
  walked.delete();
  const brokenTree = parser.parse(broken);
  const classes = brokenTree.rootNode.descendantsOfType('class_definition').length;
  const errors = brokenTree.rootNode.descendantsOfType('ERROR').length;
  brokenTree.delete();
  console.log(`tree-sitter  cold ${cold.toFixed(1)} ms, first parse ${first.toFixed(1)} ms, full parse ${full.toFixed(1)} ms, edit reparse ${reparse.toFixed(1)} ms, cursor walk over ${nodes} nodes ${walk.toFixed(1)} ms`);
  console.log(`             broken module: ${classes}/${tasks} classes still found, ${errors} ERROR nodes (field names: yes)`);
}

// --- lezer ---
{
  let t0 = performance.now();
  const { parser } = await import('@lezer/python');
  const { TreeFragment } = await import('@lezer/common');
  const cold = performance.now() - t0;
  t0 = performance.now();
  parser.parse(source);
  const first = performance.now() - t0;
  const full = time(() => parser.parse(source));
  const tree = parser.parse(source);
  const index = editAt + 'limit = luigi.IntParameter(default='.length;
  const fragments = TreeFragment.applyChanges(TreeFragment.addTree(tree), [{ fromA: index, toA: index + 1, fromB: index, toB: index + 1 }]);
  const reparse = time(() => parser.parse(edited, fragments));
  let nodes = 0;
  const walk = time(() => {
    const cursor = tree.cursor();
    nodes = 0;
    do nodes++;
    while (cursor.next());
  });
  const brokenTree = parser.parse(broken);
  let classes = 0;
  let errors = 0;
  brokenTree.iterate({ enter: (n) => { if (n.name === 'ClassDefinition') classes++; if (n.type.isError) errors++; } });
  console.log(`lezer        cold ${cold.toFixed(1)} ms, first parse ${first.toFixed(1)} ms, full parse ${full.toFixed(1)} ms, edit reparse ${reparse.toFixed(1)} ms, cursor walk over ${nodes} nodes ${walk.toFixed(1)} ms`);
  console.log(`             broken module: ${classes}/${tasks} classes still found, ${errors} error nodes (field names: no)`);
}
