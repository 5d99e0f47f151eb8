import { offerOpenTo } from './offer-lessee';

describe('offerOpenTo', () => {
  const ancestry = ['child', 'parent', 'root'];

  it('opens an unrestricted offer to anybody, even a caller without a project', () => {
    expect(offerOpenTo({ lesseeId: null }, ancestry)).toBe(true);
    expect(offerOpenTo({ lesseeId: null }, [])).toBe(true);
  });

  it('opens a restricted offer to its lessee project and the projects below it', () => {
    expect(offerOpenTo({ lesseeId: 'child' }, ancestry)).toBe(true);
    expect(offerOpenTo({ lesseeId: 'root' }, ancestry)).toBe(true);
  });

  it('closes it to any other project, and to a caller without a project', () => {
    expect(offerOpenTo({ lesseeId: 'sibling' }, ancestry)).toBe(false);
    expect(offerOpenTo({ lesseeId: 'child' }, [])).toBe(false);
  });
});
