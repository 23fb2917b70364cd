// Valid Python gives no syntax error: every file of the test interpreter's standard library that
// Python's own `ast.parse` accepts (listed at test time by one python3 process) is analysed as the
// graph and the lint analyse it, and none may get a syntax-error diagnostic.
// Size: on CPython 3.11, 1,778 files and 859k lines: about 20 s of CPU (a minute of wall time on a
// loaded 2-core machine).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import { testPython } from '../../support/python';

/**
 * Files where a syntax error is expected although `ast.parse` accepts them, by path under the
 * standard library, each with its reason. Empty: the fork of the grammar has none on the 3.8, 3.9,
 * 3.10, 3.11, 3.12 and 3.13 standard libraries (bench/parsers.mjs gives the comparison).
 */
const EXPECTED_ERRORS: ReadonlyMap<string, string> = new Map();

const LIST_STDLIB = `
import ast, os, sys, sysconfig
root = sysconfig.get_paths()["stdlib"]
print(root)
for d, dirs, files in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "dist-packages", "__pycache__"))
    for f in sorted(files):
        if not f.endswith(".py"):
            continue
        p = os.path.join(d, f)
        try:
            data = open(p, "rb").read()
            ast.parse(data)
            data.decode("utf-8")  # files in other encodings are skipped by the analysis, with a diagnostic
            print(p)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            pass
`;

describe('the standard library of the test interpreter', () => {
  it('gives no syntax-error diagnostic on any file that ast.parse accepts', () => {
    const [stdlib, ...files] = execFileSync(testPython(), ['-c', LIST_STDLIB], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n');
    expect(files.length).toBeGreaterThan(1000);
    const unexpected: string[] = [];
    let lines = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const facts = extractModuleFacts(text);
      lines += facts.lineCount;
      const relative = path.relative(stdlib!, file);
      if (facts.syntaxErrors.length > 0 && !EXPECTED_ERRORS.has(relative)) {
        const first = facts.syntaxErrors[0]!;
        unexpected.push(`${relative}:${first.line}:${first.column + 1} ${first.message}: ${text.split('\n')[first.line - 1]?.trim()}`);
      }
    }
    console.log(`${files.length} files, ${lines} lines under ${stdlib}: ${unexpected.length} with a false syntax error`);
    expect(unexpected).toEqual([]);
  }, 300_000);
});
