// "Open the Sample" copies samples/orders out of the (read-only) extension folder into a new folder.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { copySample, SAMPLE_FOLDER_NAME } from '../../extension/core/sample';

const sample = path.resolve(__dirname, '../../samples/orders');

describe('copySample', () => {
  test('copies the pipeline, its migrations and data into a new folder, never over an existing one', () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'sample-'));
    const first = copySample(sample, parent);
    expect(first).toBe(path.join(parent, SAMPLE_FOLDER_NAME));
    expect(readFileSync(path.join(first, 'pipeline.py'), 'utf8')).toBe(readFileSync(path.join(sample, 'pipeline.py'), 'utf8'));
    expect(existsSync(path.join(first, 'migrations', '0001_customers_and_orders.sql'))).toBe(true);
    expect(existsSync(path.join(first, 'data', 'orders_2024-03-01.csv'))).toBe(true);

    writeFileSync(path.join(first, 'pipeline.py'), '# edited by the user\n');
    const second = copySample(sample, parent);
    expect(second).toBe(path.join(parent, `${SAMPLE_FOLDER_NAME}-2`));
    expect(readFileSync(path.join(first, 'pipeline.py'), 'utf8')).toBe('# edited by the user\n');
  });

  test('leaves compiled Python behind', () => {
    const source = mkdtempSync(path.join(os.tmpdir(), 'sample-src-'));
    writeFileSync(path.join(source, 'pipeline.py'), 'import luigi\n');
    mkdirSync(path.join(source, '__pycache__'));
    writeFileSync(path.join(source, '__pycache__', 'pipeline.cpython-311.pyc'), 'x');
    const copied = copySample(source, mkdtempSync(path.join(os.tmpdir(), 'sample-dst-')));
    expect(existsSync(path.join(copied, 'pipeline.py'))).toBe(true);
    expect(existsSync(path.join(copied, '__pycache__'))).toBe(false);
  });

  test('says what to do when the sample is missing', () => {
    expect(() => copySample(path.join(os.tmpdir(), 'no-such-sample'), os.tmpdir())).toThrow(/reinstall the extension/);
  });
});
