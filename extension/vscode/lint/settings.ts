// luigiSpanner.lint.* settings, validated by the core (a typo is reported, never ignored).
import * as vscode from 'vscode';
import { parseLintConfig } from '../../core/lint/config';
import type { LintConfig } from '../../core/lint/types';

export const LINT_SETTINGS = ['luigiSpanner.lint.severity', 'luigiSpanner.lint.disabled', 'luigiSpanner.lint.mutationLimit', 'luigiSpanner.migrationsDir'];

export function readLintConfig(resource: vscode.Uri | undefined): { config: LintConfig; migrationsDir: string } {
  const settings = vscode.workspace.getConfiguration('luigiSpanner', resource);
  const config = parseLintConfig(
    { severity: settings.get('lint.severity'), disabled: settings.get('lint.disabled'), mutationLimit: settings.get('lint.mutationLimit') },
    'luigiSpanner.lint settings',
  );
  const migrationsDir = (settings.get<string>('migrationsDir') || 'migrations').replace(/\\/g, '/').replace(/^\.\/|\/+$/g, '');
  return { config, migrationsDir };
}
