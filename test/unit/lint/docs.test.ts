// Every rule has its page (the code links and SARIF helpUri point there) with the four parts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_PROBLEMS, RULES, ruleDocPath } from '../../../extension/core/lint/catalog';

const REPO = path.resolve(__dirname, '..', '..', '..');

describe('rule docs', () => {
  for (const rule of RULES) {
    it(`${rule.code} has a page with the problem, a wrong and a right example, and the fix`, () => {
      const file = path.join(REPO, ruleDocPath(rule.code));
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0]).toBe(`# ${rule.code}: ${rule.title}`);
      for (const section of ['## Problem', '## Wrong', '## Right', '## Fix']) expect(text).toContain(section);
      expect(text.match(/```/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    });
  }

  for (const problem of FILE_PROBLEMS) {
    it(`${problem.code} (a file problem that SARIF links to) has a page`, () => {
      const text = readFileSync(path.join(REPO, ruleDocPath(problem.code)), 'utf8');
      expect(text.split('\n')[0]).toBe(`# ${problem.code}: ${problem.title}`);
      expect(text).toContain('## Problem');
    });
  }

  it('the index lists every rule', () => {
    const index = readFileSync(path.join(REPO, 'docs/rules/README.md'), 'utf8');
    for (const rule of RULES) expect(index).toContain(`[${rule.code}](${rule.code}.md) | ${rule.title} | ${rule.defaultSeverity}`);
  });

  it("the index's table is the rule table, row for row (codes, titles, default severities)", () => {
    const index = readFileSync(path.join(REPO, 'docs/rules/README.md'), 'utf8');
    const rows = index.split('\n').filter((line) => /^\| \[LS\d{3}\]/.test(line));
    expect(rows).toEqual(RULES.map((rule) => `| [${rule.code}](${rule.code}.md) | ${rule.title} | ${rule.defaultSeverity} |`));
  });
});
