// Dynamic dependencies beyond a task call written inside `yield`: through local variables, lists
// and comprehensions held in them, luigi.DynamicRequirements, and recursion through self.clone()
// or self.__class__(). test/integration/graph-runtime.test.ts checks each form of
// test/fixtures/graph/forms/dynamic.py against what real Luigi's worker machinery yields.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';

const edgesOf = (files: Record<string, string>) => {
  const index = new WorkspaceIndex();
  for (const [file, text] of Object.entries(files)) index.setFile(file, text);
  const graph = index.graph();
  return { edges: graph.edges.map((e) => `${e.from} -> ${e.to} (${e.kind})`).sort(), diagnostics: graph.diagnostics };
};

describe('dynamic dependencies', () => {
  it("Luigi's flagship examples/dynamic_requirements.py: Configuration and Data, yielded through variables", () => {
    const text = readFileSync(path.resolve(__dirname, '../../fixtures/fuzz/dynamic_requirements.py'), 'utf8');
    const { edges, diagnostics } = edgesOf({ 'dynamic_requirements.py': text });
    expect(edges).toEqual(['dynamic_requirements.Configuration -> dynamic_requirements.Dynamic (dynamic)', 'dynamic_requirements.Data -> dynamic_requirements.Dynamic (dynamic)']);
    expect(diagnostics).toEqual([]);
  });

  it('a local follows every value it was given, and only the locals a yield names count', () => {
    const text = `import luigi

class A(luigi.Task):
    pass

class B(luigi.Task):
    pass

class C(luigi.Task):
    pass

class T(luigi.Task):
    def run(self):
        unused = C()
        items = {}
        items["a"] = A()
        more = [B()]
        batch = list(more)
        yield luigi.DynamicRequirements(items)
        yield batch
`;
    expect(edgesOf({ 'p.py': text }).edges).toEqual(['p.A -> p.T (dynamic)', 'p.B -> p.T (dynamic)']);
  });

  it('self.clone() without a class and self.__class__() are the task itself; self.clone(X) is X', () => {
    const text = `import luigi

class Other(luigi.Task):
    pass

class R(luigi.Task):
    n = luigi.IntParameter(default=2)

    def run(self):
        if self.n:
            yield self.clone(n=self.n - 1)
        yield self.clone(Other)

class S(luigi.Task):
    def run(self):
        nxt = self.__class__()
        yield [nxt]
`;
    const { edges, diagnostics } = edgesOf({ 'r.py': text });
    expect(edges).toEqual(['r.Other -> r.R (dynamic)', 'r.R -> r.R (dynamic)', 'r.S -> r.S (dynamic)']);
    expect(diagnostics.map((d) => d.code)).toEqual(['self-dependency', 'self-dependency']);
  });
});
