import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sourceMigrationsDir, writeRevisionFile } from './revision-file';

const INDEX = `import { UpstreamSchema1795564800000 } from './1795564800000-upstream-schema';
import {
  LookupIndexesAndResourceLocks1795568400000,
} from './1795568400000-lookup-indexes-and-resource-locks';

/** The migration history, oldest first. */
export const MIGRATIONS = [
  UpstreamSchema1795564800000,
  LookupIndexesAndResourceLocks1795568400000,
];
`;

describe('writeRevisionFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-revision-'));
    writeFileSync(path.join(dir, 'index.ts'), INDEX);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an empty QueryRunner migration named after the message and appends it to the history', () => {
    const file = writeRevisionFile(dir, 'add lease notes column', new Date(1795600000000));
    expect(path.basename(file)).toBe('1795600000000-add-lease-notes-column.ts');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('export class AddLeaseNotesColumn1795600000000 implements MigrationInterface');
    expect(source).toContain("name = 'AddLeaseNotesColumn1795600000000';");
    expect(source).toContain('async up(queryRunner: QueryRunner): Promise<void> {}');
    expect(source).toContain('async down(queryRunner: QueryRunner): Promise<void> {}');
    expect(readFileSync(path.join(dir, 'index.ts'), 'utf8')).toBe(
      INDEX.replace(
        "lookup-indexes-and-resource-locks';\n",
        "lookup-indexes-and-resource-locks';\nimport { AddLeaseNotesColumn1795600000000 } from './1795600000000-add-lease-notes-column';\n",
      ).replace(
        'LookupIndexesAndResourceLocks1795568400000,\n];',
        'LookupIndexesAndResourceLocks1795568400000,\n  AddLeaseNotesColumn1795600000000,\n];',
      ),
    );
  });

  it('refuses a message without letters or digits, and never overwrites a file', () => {
    expect(() => writeRevisionFile(dir, ' -- ')).toThrow('-m/--message must contain letters or digits');
    const now = new Date(1795600000000);
    writeRevisionFile(dir, 'x', now);
    expect(() => writeRevisionFile(dir, 'x', now)).toThrow(/EEXIST/);
  });
});

describe('sourceMigrationsDir', () => {
  it('is migrations/ at the package root', () => {
    expect(sourceMigrationsDir()).toBe(path.resolve(__dirname, '../../migrations'));
  });
});
