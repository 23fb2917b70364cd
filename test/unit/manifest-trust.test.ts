// A repository's .vscode/settings.json must not choose what runs: every setting that names a
// program, an image, a backend or a path is restricted in untrusted workspaces (package.json
// capabilities), and the interpreter is a machine setting, as the Python extension's is.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Setting {
  type?: string;
  scope?: string;
  description?: string;
  markdownDescription?: string;
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, Setting> } | Array<{ properties: Record<string, Setting> }> };
};
const configuration = manifest.contributes.configuration;
const settings: Record<string, Setting> = Object.assign({}, ...(Array.isArray(configuration) ? configuration : [configuration]).map((c) => c.properties));
const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];

/** Settings that name something to execute or read: by their name, or by what their description says they hold. */
function namesProgramOrPath(key: string, setting: Setting): boolean {
  const text = `${setting.description ?? ''} ${setting.markdownDescription ?? ''}`;
  return (
    /(path|dir|folder|file|image|backend|executable|command|binary|interpreter|program)$/i.test(key) ||
    /\b(interpreter|executable|program|binary|image|folder|directory|path)\b/i.test(text)
  );
}

describe('settings a repository must not set in an untrusted workspace', () => {
  const programOrPath = Object.keys(settings).filter((key) => namesProgramOrPath(key, settings[key]!));

  it('finds the known ones (the rule above is not too narrow)', () => {
    expect(programOrPath).toEqual(
      expect.arrayContaining(['luigiSpanner.pythonPath', 'luigiSpanner.emulator.image', 'luigiSpanner.emulator.backend', 'luigiSpanner.migrationsDir', 'luigiSpanner.seedsDir']),
    );
  });

  it('restricts every setting that names a program, image, backend or path', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(programOrPath.filter((key) => !restricted.includes(key))).toEqual([]);
  });

  it('restricts only settings that exist', () => {
    expect(restricted.filter((key) => !(key in settings))).toEqual([]);
  });

  it('gives the interpreter machine scope, so no workspace or folder value is read', () => {
    expect(settings['luigiSpanner.pythonPath']?.scope).toBe('machine');
  });
});

describe('setting scopes (multi-root windows)', () => {
  it('every setting declares its scope', () => {
    expect(Object.keys(settings).filter((key) => !settings[key]!.scope)).toEqual([]);
  });

  it("settings read per workspace folder can differ per folder; the graph's direction is the window's", () => {
    // Read with the folder (or a file in it) as scope in extension/vscode/settings.ts and by the server.
    const perFolder = Object.keys(settings).filter((key) => !['luigiSpanner.pythonPath', 'luigiSpanner.graph.direction'].includes(key));
    for (const key of perFolder) expect(['resource', 'machine-overridable'], key).toContain(settings[key]!.scope);
    expect(settings['luigiSpanner.graph.direction']?.scope).toBe('window');
  });
});
