import { Migration } from 'typeorm/migration/Migration';
import { resolveRevision, RevisionError } from './schema-migrator';

const history = [
  new Migration(undefined, 1795564800000, 'UpstreamSchema1795564800000'),
  new Migration(undefined, 1795568400000, 'LookupIndexesAndResourceLocks1795568400000'),
  new Migration(undefined, 1795572000000, 'WidenEventColumns1795572000000'),
];

describe('resolveRevision', () => {
  it.each([
    ['head', 2],
    ['base', -1],
    ['UpstreamSchema1795564800000', 0],
    ['1795568400000', 1],
    // upstream's alembic head is exactly our baseline
    ['11e06aea1af5', 0],
  ])('%s -> %d', (revision, index) => {
    expect(resolveRevision(history, revision)).toBe(index);
  });

  it('rejects anything else, listing what it knows', () => {
    expect(() => resolveRevision(history, 'a1ea63fec697')).toThrow(RevisionError);
    expect(() => resolveRevision(history, 'upstream')).toThrow(
      "unknown revision 'upstream' (known: head, base, UpstreamSchema1795564800000, LookupIndexesAndResourceLocks1795568400000, WidenEventColumns1795572000000)",
    );
  });
});
