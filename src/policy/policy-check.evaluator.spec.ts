import { parseCheckString } from './check-string.parser';
import { evaluateCheck } from './policy-check.evaluator';

interface Scenario {
  creds?: object;
  target?: Record<string, unknown>;
  rules?: Record<string, string>;
}

function allows(text: string, { creds = {}, target = {}, rules = {} }: Scenario = {}): boolean {
  const parsed = new Map(Object.entries(rules).map(([name, rule]) => [name, parseCheckString(rule)]));
  return evaluateCheck(parseCheckString(text), { creds, target, lookupRule: (name) => parsed.get(name) });
}

describe('evaluateCheck', () => {
  describe('constants and operators', () => {
    it.each([
      ['@', true],
      ['!', false],
      ['', true],
      ['not @', false],
      ['not !', true],
      ['not not @', true],
      ['@ and !', false],
      ['@ or !', true],
      // and binds tighter than or: `@ or (! and !)`, not `(@ or !) and !`
      ['@ or ! and !', true],
      ['! and ! or @', true],
      ['! and (! or @)', false],
      // not binds tighter than and: `(not !) and !`, not `not (! and !)`
      ['not ! and !', false],
      ['not (! and !)', true],
      ['! or @ and @ and !', false],
      ['! or @ and @ or @', true],
      ['NOT ! AND @', true],
    ])('%j is %s', (text, expected) => {
      expect(allows(text)).toBe(expected);
    });
  });

  describe('rule:', () => {
    it('uses the named rule, and an undefined rule is false', () => {
      expect(allows('rule:yes', { rules: { yes: '@' } })).toBe(true);
      expect(allows('rule:no', { rules: { no: '!' } })).toBe(false);
      expect(allows('rule:missing')).toBe(false);
      expect(allows('not rule:missing')).toBe(true);
    });

    it('denies a rule that refers back to itself instead of recursing forever', () => {
      expect(allows('rule:a', { rules: { a: 'rule:b', b: '@ and rule:a' } })).toBe(false);
    });
  });

  describe('role:', () => {
    it('matches creds.roles ignoring case', () => {
      expect(allows('role:admin', { creds: { roles: ['member', 'Admin'] } })).toBe(true);
      expect(allows('role:ADMIN', { creds: { roles: ['admin'] } })).toBe(true);
      expect(allows('role:admin', { creds: { roles: ['member'] } })).toBe(false);
      expect(allows('role:admin', { creds: {} })).toBe(false);
    });

    it('interpolates the role name from the target; a missing key is false', () => {
      const creds = { roles: ['esi_leap_owner'] };
      expect(allows('role:esi_leap_%(kind)s', { creds, target: { kind: 'owner' } })).toBe(true);
      expect(allows('role:esi_leap_%(kind)s', { creds, target: {} })).toBe(false);
    });

    it('keeps everything after the first colon as the role name', () => {
      expect(allows('role:compute:admin', { creds: { roles: ['compute:admin'] } })).toBe(true);
    });
  });

  describe('generic KIND:MATCH', () => {
    it('compares a creds key with the interpolated target value', () => {
      const creds = { project_id: 'p1' };
      expect(allows('project_id:%(project_id)s', { creds, target: { project_id: 'p1' } })).toBe(true);
      expect(allows('project_id:%(project_id)s', { creds, target: { project_id: 'p2' } })).toBe(false);
      expect(allows('project_id:p1', { creds })).toBe(true);
    });

    it('is false when the target key or the creds key is missing', () => {
      expect(allows('project_id:%(project_id)s', { creds: { project_id: 'p1' }, target: {} })).toBe(false);
      expect(allows('project_id:%(project_id)s', { creds: {}, target: { project_id: 'p1' } })).toBe(false);
    });

    it('treats an undefined value as a missing key (pass null to mean None)', () => {
      expect(allows('project_id:%(x)s', { creds: { project_id: 'None' }, target: { x: undefined } })).toBe(false);
      expect(allows('project_id:None', { creds: { project_id: undefined } })).toBe(false);
    });

    it('reads a key containing dots whole, not as a nested path', () => {
      const creds = { project_id: 'p1' };
      expect(allows('project_id:%(offer.project_id)s', { creds, target: { 'offer.project_id': 'p1' } })).toBe(true);
      expect(allows('project_id:%(offer.project_id)s', { creds, target: { offer: { project_id: 'p1' } } })).toBe(false);
    });

    it('compares str() forms, so None equals None', () => {
      const target = { 'lease.owner_id': null };
      expect(allows('project_id:%(lease.owner_id)s', { creds: { project_id: null }, target })).toBe(true);
      expect(allows('project_id:%(lease.owner_id)s', { creds: { project_id: 'None' }, target })).toBe(true);
      expect(allows('project_id:%(lease.owner_id)s', { creds: { project_id: 'p1' }, target })).toBe(false);
    });

    it('renders booleans and lists as Python does', () => {
      expect(allows('is_admin_project:True', { creds: { is_admin_project: true } })).toBe(true);
      expect(allows('is_admin_project:true', { creds: { is_admin_project: true } })).toBe(false);
      expect(allows('x:%(l)s', { creds: { x: "['a', 'b']" }, target: { l: ['a', 'b'] } })).toBe(true);
    });

    it('walks a dotted path into creds, where any list element may match', () => {
      const creds = { user: { enabled: 'yes', groups: [{ name: 'g1' }, { name: 'g2' }] }, roles: ['a', 'b'] };
      expect(allows('user.enabled:yes', { creds })).toBe(true);
      expect(allows('user.groups.name:g2', { creds })).toBe(true);
      expect(allows('user.groups.name:g3', { creds })).toBe(false);
      expect(allows('user.missing.name:g1', { creds })).toBe(false);
      expect(allows('user.enabled.deeper:yes', { creds })).toBe(false);
      // a list compared element by element is case-sensitive, unlike role:
      expect(allows('roles:b', { creds })).toBe(true);
      expect(allows('roles:B', { creds })).toBe(false);
    });

    it('compares with a Python literal on the left instead of a creds path', () => {
      expect(allows('True:%(enabled)s', { target: { enabled: true } })).toBe(true);
      expect(allows('True:%(enabled)s', { target: { enabled: 'True' } })).toBe(true);
      expect(allows('True:%(enabled)s', { target: { enabled: false } })).toBe(false);
      expect(allows("'member':%(role)s", { target: { role: 'member' } })).toBe(true);
      expect(allows('"member":%(role)s', { target: { role: 'admin' } })).toBe(false);
      expect(allows('123:%(n)s', { target: { n: 123 } })).toBe(true);
      expect(allows('0x10:%(n)s', { target: { n: '16' } })).toBe(true);
      expect(allows('1.50:%(f)s', { target: { f: 1.5 } })).toBe(true);
      expect(allows('None:%(x)s', { target: { x: null } })).toBe(true);
      // a literal never reads creds, even when creds has that key
      expect(allows('True:yes', { creds: { True: 'yes' } })).toBe(false);
    });

    it('turns %% into a percent sign and fails closed on other conversions', () => {
      expect(allows('quota:50%%', { creds: { quota: '50%' } })).toBe(true);
      expect(allows('n:%(n)d', { creds: { n: '1' }, target: { n: 1 } })).toBe(false);
      expect(allows('n:50%', { creds: { n: '50%' } })).toBe(false);
    });

    it('never finds inherited object properties', () => {
      expect(allows('project_id:%(constructor)s', { creds: { project_id: 'p' } })).toBe(false);
      expect(allows('toString:x', { creds: {} })).toBe(false);
    });
  });
});
