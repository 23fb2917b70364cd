// Which folder a folder-wide feature acts on in a multi-root window (extension/vscode/folderChoice.ts):
// the emulator's status bar follows the active editor's folder and keeps it while no file is
// active; the Doctor checks the active file's folder, the only one, or asks among several.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CurrentFolder, folderForCommand, folderOfPath } from '../../../extension/vscode/folderChoice';

const ref = (name: string, root: string) => ({ uri: `file://${root}`, root, name });
const ORDERS = ref('orders', path.resolve('/work/orders'));
const BILLING = ref('billing', path.resolve('/work/billing'));
const VENDOR = ref('vendor', path.join(ORDERS.root, 'vendor'));
const in_ = (folder: { root: string }, ...parts: string[]) => path.join(folder.root, ...parts);

describe('folderOfPath', () => {
  test('the folder a file is in, the innermost when folders nest; none outside every folder', () => {
    const folders = [ORDERS, BILLING, VENDOR];
    expect(folderOfPath(folders, in_(ORDERS, 'pipeline.py'))?.name).toBe('orders');
    expect(folderOfPath(folders, in_(VENDOR, 'lib', 'x.py'))?.name).toBe('vendor');
    expect(folderOfPath(folders, in_(BILLING, 'jobs', 'invoice.py'))?.name).toBe('billing');
    expect(folderOfPath(folders, BILLING.root)?.name).toBe('billing');
    // A sibling whose name starts like a folder's is not inside it.
    expect(folderOfPath(folders, path.resolve('/work/orders-old/pipeline.py'))).toBeUndefined();
    expect(folderOfPath(folders, path.resolve('/tmp/scratch.py'))).toBeUndefined();
  });
});

describe('folderForCommand (the Doctor)', () => {
  test("the active file's folder; without one the only folder; among several, ask; without folders, none", () => {
    expect(folderForCommand([ORDERS, BILLING], in_(BILLING, 'pipeline.py'))).toEqual({ folder: BILLING });
    expect(folderForCommand([ORDERS], undefined)).toEqual({ folder: ORDERS });
    expect(folderForCommand([ORDERS], path.resolve('/tmp/scratch.py'))).toEqual({ folder: ORDERS });
    expect(folderForCommand([ORDERS, BILLING], undefined)).toEqual({ ask: [ORDERS, BILLING] });
    // A file outside every folder says nothing about which one is meant.
    expect(folderForCommand([ORDERS, BILLING], path.resolve('/tmp/scratch.py'))).toEqual({ ask: [ORDERS, BILLING] });
    expect(folderForCommand([], undefined)).toEqual({ none: true });
  });
});

describe('CurrentFolder (the status bar)', () => {
  test('follows the active file, keeps the folder while no file of a folder is active, first folder at start', () => {
    const current = new CurrentFolder([ORDERS, BILLING]);
    expect(current.current?.name).toBe('orders');
    expect(current.several).toBe(true);
    expect(current.follow(in_(BILLING, 'pipeline.py'))).toBe(true);
    expect(current.current?.name).toBe('billing');
    // Same folder again, a webview in front (no file), a file outside: no change.
    expect(current.follow(in_(BILLING, 'jobs', 'x.py'))).toBe(false);
    expect(current.follow(undefined)).toBe(false);
    expect(current.follow(path.resolve('/tmp/scratch.py'))).toBe(false);
    expect(current.current?.name).toBe('billing');
    expect(current.follow(in_(ORDERS, 'pipeline.py'))).toBe(true);
    expect(current.current?.name).toBe('orders');
  });

  test('folders added and removed: the current one stays unless it was removed, then the first', () => {
    const current = new CurrentFolder([ORDERS, BILLING]);
    current.follow(in_(BILLING, 'pipeline.py'));
    expect(current.setFolders([ORDERS, BILLING, VENDOR])).toBe(false);
    expect(current.current?.name).toBe('billing');
    expect(current.setFolders([VENDOR, ORDERS])).toBe(true);
    expect(current.current?.name).toBe('vendor');
    expect(current.setFolders([])).toBe(true);
    expect(current.current).toBeUndefined();
    expect(current.several).toBe(false);
  });
});
