import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REFERENCE_BEGIN, REFERENCE_END, renderOptionReference, updateOptionReference } from './option-reference';
import { OPTION_LIST } from './options';

const DOC = path.resolve(__dirname, '../../docs/configuration.md');

describe('renderOptionReference', () => {
  it('is what docs/configuration.md holds (refresh with the command given there)', () => {
    expect(readFileSync(DOC, 'utf8')).toContain(renderOptionReference());
  });

  it('lists our own options first, then has one row per option, ours marked as new', () => {
    const [additions, reference] = renderOptionReference().split('### [DEFAULT]');
    expect(additions).toContain('| `[manager] sweep_interval` | Seconds between two runs of the manager jobs');
    const rows = reference.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(OPTION_LIST.length);
    expect(rows).toContain('| `port` | port: an integer between 0 and 65535 | `7777` | TCP port the API listens on. |');
    expect(rows.find((row) => row.startsWith('| `sweep_interval` **(new)** |'))).toBeDefined();
    expect(rows.find((row) => row.startsWith('| `connection` | str (secret) | *unset* |'))).toContain(
      'Also read from the deprecated `[DEFAULT] sql_connection`',
    );
  });
});

describe('updateOptionReference', () => {
  it('replaces only the generated block', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-doc-'));
    const file = path.join(dir, 'doc.md');
    try {
      writeFileSync(file, `intro\n${REFERENCE_BEGIN}\nstale\n${REFERENCE_END}\noutro\n`);
      updateOptionReference(file);
      expect(readFileSync(file, 'utf8')).toBe(`intro\n${renderOptionReference()}\noutro\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
