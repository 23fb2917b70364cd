// File, module and class names that are markup or syntax in an export format come out as text in
// every format of `luigi-spanner graph` (json, dot, mermaid, svg): a repository chooses its file
// names, and these exports end up in wikis, READMEs and browsers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGraph, type GraphFormat } from '../../../extension/cli/commands/graph';
import { toDot, toMermaid } from '../../../extension/core/analysis/render';
import type { GraphJson } from '../../../extension/core/analysis/types';
import { renderGraphSvg } from '../../../extension/core/graphLayout/renderGraphSvg';

const IMG = 'x<img src=x onerror=alert(1)>';
const PACKAGE = 'pkg<b>&amp;';
const QUOTE = 'q"uote#lt;';
const HOSTILE_MODULES = [`${PACKAGE}.${IMG}`, QUOTE];

const PIPELINE = `import luigi


class Extract(luigi.ExternalTask):
    """<script>alert(1)</script> & co"""


class Load(luigi.Task):
    def requires(self):
        return Extract()
`;

/** Mermaid's entity codes back to text (`#35;` is `#`). */
function decodeMermaid(text: string): string {
  return text.replace(/#(quot|lt|gt|amp|\d+);/g, (_, code: string) => ({ quot: '"', lt: '<', gt: '>', amp: '&' })[code] ?? String.fromCharCode(Number(code)));
}

function checkMermaid(text: string, names: string[]): void {
  const labels = [...text.matchAll(/"([^"\n]*)"/g)].map((m) => m[1]!);
  for (const label of labels) expect(label).not.toMatch(/[<>&]/);
  // Outside labels, the only angle brackets are the arrows.
  expect(text.replace(/"[^"\n]*"/g, '""').replace(/-\.?->|-->/g, '')).not.toMatch(/[<>&]/);
  expect(labels.map(decodeMermaid)).toEqual(expect.arrayContaining(names));
}

/** DOT quoted strings, unescaped (`\"`, `\\`) and with Graphviz's entities read back. */
function dotStrings(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').replace(/&amp;/g, '&'));
}

function checkDot(text: string, names: string[]): void {
  expect(text.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/->/g, '')).not.toMatch(/[<>&]/);
  const labels = [...text.matchAll(/label=("(?:[^"\\]|\\.)*")/g)].flatMap((m) => dotStrings(m[1]!));
  expect(labels).toEqual(expect.arrayContaining(names));
  for (const label of [...text.matchAll(/label="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!)) expect(label).not.toMatch(/&(?!amp;)/);
}

const SVG_ELEMENTS = new Set(['svg', 'g', 'rect', 'text', 'path', 'title', 'style', 'defs', 'marker', 'circle', 'tspan', 'line', 'polygon']);

/**
 * Reads the SVG as a sequence of tags (attributes all double-quoted, no `<` inside) and text (no
 * `<`): anything else would be markup a name smuggled in. Returns the texts and attribute values.
 */
function checkSvg(text: string, names: string[]): void {
  const token = /<\/([A-Za-z][\w:-]*)>|<([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*\/?>|([^<]+)/y;
  const elements: string[] = [];
  const attributeNames: string[] = [];
  const values: string[] = [];
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  for (let at = 0; at < text.length; ) {
    token.lastIndex = at;
    const match = token.exec(text);
    expect(match, `unexpected markup at ${at}: ${text.slice(at, at + 60)}`).not.toBeNull();
    const [whole, closing, opening, attributes, content] = match!;
    if (closing || opening) elements.push((closing ?? opening)!.toLowerCase());
    for (const [, name, value] of (attributes ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) {
      attributeNames.push(name!.toLowerCase());
      values.push(unescape(value!));
    }
    if (content) {
      expect(content).not.toMatch(/&(?!(lt|gt|amp|quot|#39);)/);
      values.push(unescape(content));
    }
    at += whole.length;
  }
  expect(elements.filter((e) => !SVG_ELEMENTS.has(e))).toEqual([]);
  expect(attributeNames.filter((a) => a.startsWith('on') || a === 'href' || a === 'xlink:href')).toEqual([]);
  for (const name of names) expect(values.some((t) => t.includes(name)), name).toBe(true);
}

describe('hostile names in a real workspace, every export format', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'hostile-graph-'));
    mkdirSync(path.join(root, PACKAGE));
    writeFileSync(path.join(root, PACKAGE, '__init__.py'), '');
    writeFileSync(path.join(root, PACKAGE, `${IMG}.py`), PIPELINE);
    writeFileSync(path.join(root, `${QUOTE}.py`), 'import luigi\n\n\nclass Other(luigi.Task):\n    pass\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const render = (format: GraphFormat) => renderGraph([], { root, format, cache: false });

  it('json keeps every name exactly (it is data)', async () => {
    const { text } = await render('json');
    const graph = JSON.parse(text) as GraphJson;
    expect(graph.tasks.map((t) => t.module).sort()).toEqual([...HOSTILE_MODULES, HOSTILE_MODULES[0]!].sort());
    expect(graph.tasks.find((t) => t.name === 'Extract')?.file).toBe(`${PACKAGE}/${IMG}.py`);
  });

  it('mermaid encodes <, >, & (and " and #) in subgraph and node labels', async () => {
    const { text } = await render('mermaid');
    expect(text).not.toContain('<img');
    checkMermaid(text, HOSTILE_MODULES);
  });

  it('dot keeps them inside quoted strings, entities escaped', async () => {
    checkDot((await render('dot')).text, HOSTILE_MODULES);
  });

  it('svg holds them as escaped text only', async () => {
    const { text } = await render('svg');
    expect(text).not.toContain('<img');
    expect(text).not.toContain('<script');
    checkSvg(text, ['Extract', 'Load', 'Other', ...HOSTILE_MODULES]);
  });
});

describe('hostile class and module names in a graph, every renderer', () => {
  // Python cannot name a class like this, but the renderers take any GraphJson (a cached or hand-made one).
  const CLASS = '<svg/onload=alert(1)>"#amp;\\';
  const graph: GraphJson = {
    tasks: [
      { id: `${IMG}.${CLASS}`, name: CLASS, kind: 'task', file: `${IMG}.py`, line: 1, params: [], outputs: [{ target: 'LocalTarget', source: '"</text><script>"' }], module: IMG, doc: '</title><script>x</script>' },
      { id: `${IMG}.Up&Down`, name: 'Up&Down', kind: 'external', file: `${IMG}.py`, line: 9, params: [], outputs: [], module: IMG },
    ],
    edges: [{ from: `${IMG}.Up&Down`, to: `${IMG}.${CLASS}`, kind: 'dynamic' }],
    diagnostics: [],
  };

  it('json', () => {
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
  });

  it('mermaid', () => {
    checkMermaid(toMermaid(graph), [IMG, CLASS, 'Up&Down']);
  });

  it('dot', () => {
    checkDot(toDot(graph), [IMG, CLASS, 'Up&Down']);
  });

  it('svg', async () => {
    const svg = await renderGraphSvg(graph, { title: `${IMG}</title>` });
    expect(svg).not.toContain('<script');
    checkSvg(svg, [CLASS, 'Up&Down', `${IMG}</title>`]);
  });
});
