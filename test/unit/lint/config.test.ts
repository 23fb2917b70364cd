// Configuration, suppression comments, and the output formats.
import { describe, expect, it } from 'vitest';
import { parseLintConfig, resolveConfig } from '../../../extension/core/lint/config';
import { toJsonFindings } from '../../../extension/core/lint/format/json';
import { toSarif } from '../../../extension/core/lint/format/sarif';
import { formatText } from '../../../extension/core/lint/format/text';
import { FILE_PROBLEMS, RULES } from '../../../extension/core/lint/catalog';
import { suppressionsIn, isSuppressed } from '../../../extension/core/lint/suppression';
import type { Finding } from '../../../extension/core/lint/types';
import { UserFacingError } from '../../../extension/core/errors';

const finding = (over: Partial<Finding> = {}): Finding => ({
  code: 'LS002',
  severity: 'error',
  file: 'samples/etl.py',
  line: 3,
  column: 9,
  endLine: 3,
  endColumn: 40,
  message: 'Plain insert',
  fixes: [{ title: 'Use insert_or_update', edits: [] }],
  ...over,
});

describe('configuration', () => {
  it('applies severities and disabled rules over the catalog defaults', () => {
    const config = resolveConfig(parseLintConfig({ severity: { LS004: 'error', LS009: 'off' }, disabled: ['LS101'] }, 'settings'));
    expect(config.severity.get('LS004')).toBe('error');
    expect(config.severity.has('LS009')).toBe(false);
    expect(config.severity.has('LS101')).toBe(false);
    expect(config.severity.get('LS002')).toBe('error');
    expect(config.mutationLimit).toBe(80_000);
  });

  it('rejects unknown codes and severities with the fix', () => {
    expect(() => parseLintConfig({ severity: { LS999: 'error' } }, 'luigiSpanner.lint.severity')).toThrow(/unknown rule code "LS999"/);
    expect(() => parseLintConfig({ severity: { LS001: 'fatal' } }, 'x')).toThrow(UserFacingError);
    expect(() => parseLintConfig({ disabled: 'LS001' }, 'x')).toThrow(/list of rule codes/);
    expect(() => parseLintConfig({ mutationLimit: '-3' }, 'x')).toThrow(/positive whole number/);
  });
});

describe('suppression comments', () => {
  it('reads lists, bare ignores and SQL comments', () => {
    const text = 'a = 1  # luigi-spanner: ignore[LS002, ls003]\nb = 2\nc = 3  # luigi-spanner: ignore\n-- luigi-spanner: ignore[LS101]\n';
    const s = suppressionsIn(text);
    expect(isSuppressed(s, 'LS002', [1])).toBe(true);
    expect(isSuppressed(s, 'LS003', [1])).toBe(true);
    expect(isSuppressed(s, 'LS004', [1])).toBe(false);
    expect(isSuppressed(s, 'LS004', [2])).toBe(false);
    expect(isSuppressed(s, 'LS010', [3])).toBe(true);
    expect(isSuppressed(s, 'LS101', [4])).toBe(true);
  });
});

describe('formats', () => {
  it('JSON has exactly the public fields', () => {
    expect(toJsonFindings([finding()])).toEqual({
      findings: [{ code: 'LS002', severity: 'error', file: 'samples/etl.py', line: 3, column: 9, endLine: 3, endColumn: 40, message: 'Plain insert' }],
    });
  });

  it('text has one line per finding and a summary', () => {
    expect(formatText([finding(), finding({ code: 'LS004', severity: 'warning', line: 9 })])).toBe(
      'samples/etl.py:3:9: error LS002 Plain insert\nsamples/etl.py:9:9: warning LS004 Plain insert\n2 findings: 1 error(s), 1 warning(s), 0 info.\n',
    );
  });

  it('SARIF carries what GitHub code scanning reads', () => {
    const log = toSarif([finding(), finding({ code: 'LS005', severity: 'info', line: 4 }), finding()], {
      version: '1.2.3',
      root: '/repo',
      docsBaseUrl: 'https://example.test/repo/blob/main',
      readFile: () => 'import x\n\n        batch.insert("T", c, v)\n        same\n',
    });
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('luigi-spanner');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([...RULES, ...FILE_PROBLEMS].map((r) => r.code));
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.helpUri).toBe(`https://example.test/repo/blob/main/docs/rules/${rule.id}.md`);
    }
    const [first, second, third] = run.results;
    expect(first).toMatchObject({ ruleId: 'LS002', level: 'error', message: { text: 'Plain insert' } });
    expect(run.tool.driver.rules[first!.ruleIndex]!.id).toBe('LS002');
    expect(second!.level).toBe('note');
    expect(first!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'samples/etl.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 9, endLine: 3, endColumn: 40 } });
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe('file:///repo/');
    // Same rule on the same line text: fingerprints differ only by the occurrence counter.
    expect(first!.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
    expect(third!.partialFingerprints.primaryLocationLineHash).toBe(first!.partialFingerprints.primaryLocationLineHash.replace(/:1$/, ':2'));
  });
});

describe('--fail-on', () => {
  it('fails when a finding reaches the level', async () => {
    const { failsOn } = await import('../../../extension/cli/commands/lint');
    const warning = [finding({ severity: 'warning' })];
    expect(failsOn(warning, 'error')).toBe(false);
    expect(failsOn(warning, 'warning')).toBe(true);
    expect(failsOn(warning, 'info')).toBe(true);
    expect(failsOn([finding()], 'none')).toBe(false);
    expect(failsOn([], 'info')).toBe(false);
  });
});
