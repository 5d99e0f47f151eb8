import { uuid5 } from './message-ids';

describe('uuid5', () => {
  it('matches Python uuid.uuid5', () => {
    // python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org'))"
    expect(uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('is stable per name and differs between names', () => {
    const ns = '0f1d4c9e-2b1a-4a53-9d0e-5d3f2e7c9a10';
    expect(uuid5(ns, '42')).toBe(uuid5(ns, '42'));
    expect(uuid5(ns, '42')).not.toBe(uuid5(ns, '43'));
  });
});
