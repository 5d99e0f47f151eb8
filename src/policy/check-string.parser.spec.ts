import { parseCheckAtom, parseCheckString, parseRule } from './check-string.parser';
import { FALSE_CHECK, PolicyCheck, TRUE_CHECK } from './policy-check';

const role = (match: string): PolicyCheck => ({ type: 'role', match });

describe('parseCheckString', () => {
  it('reads the special atoms and the empty string', () => {
    expect(parseCheckString('@')).toEqual(TRUE_CHECK);
    expect(parseCheckString('!')).toEqual(FALSE_CHECK);
    expect(parseCheckString('')).toEqual(TRUE_CHECK);
  });

  it('denies a string holding only whitespace (no expression, unlike the empty string)', () => {
    expect(parseCheckString('   ')).toEqual(FALSE_CHECK);
  });

  it('gives `and` precedence over `or`', () => {
    expect(parseCheckString('role:a or role:b and role:c')).toEqual({
      type: 'or',
      checks: [role('a'), { type: 'and', checks: [role('b'), role('c')] }],
    });
    expect(parseCheckString('role:a and role:b or role:c and role:d')).toEqual({
      type: 'or',
      checks: [
        { type: 'and', checks: [role('a'), role('b')] },
        { type: 'and', checks: [role('c'), role('d')] },
      ],
    });
    expect(parseCheckString('role:a or role:b and role:c and role:d or role:e')).toEqual({
      type: 'or',
      checks: [role('a'), { type: 'and', checks: [role('b'), role('c'), role('d')] }, role('e')],
    });
  });

  it('gives `not` precedence over `and`', () => {
    expect(parseCheckString('not role:a and role:b')).toEqual({
      type: 'and',
      checks: [{ type: 'not', check: role('a') }, role('b')],
    });
    expect(parseCheckString('role:a and not not role:b')).toEqual({
      type: 'and',
      checks: [role('a'), { type: 'not', check: { type: 'not', check: role('b') } }],
    });
  });

  it('groups with parentheses, glued to atoms or standing alone', () => {
    const grouped = { type: 'and', checks: [{ type: 'or', checks: [role('a'), role('b')] }, role('c')] };
    expect(parseCheckString('(role:a or role:b) and role:c')).toEqual(grouped);
    expect(parseCheckString('( role:a or role:b ) and role:c')).toEqual(grouped);
    expect(parseCheckString('((role:a))')).toEqual(role('a'));
    expect(parseCheckString('not (role:a or role:b)')).toEqual({
      type: 'not',
      check: { type: 'or', checks: [role('a'), role('b')] },
    });
  });

  it('keeps parentheses inside an atom (the %(key)s syntax) intact', () => {
    expect(parseCheckString('(project_id:%(offer.project_id)s)')).toEqual({
      type: 'generic',
      kind: 'project_id',
      match: '%(offer.project_id)s',
    });
  });

  it('takes keywords in any case', () => {
    expect(parseCheckString('NOT role:a AND role:b Or role:c')).toEqual({
      type: 'or',
      checks: [{ type: 'and', checks: [{ type: 'not', check: role('a') }, role('b')] }, role('c')],
    });
  });

  it.each([
    '(role:a',
    'role:a)',
    'role:a or',
    'and role:a',
    'role:a role:b',
    'not',
    '"role:a"',
    "role:a or 'quoted'",
    '()',
  ])('denies everyone when %j does not parse', (text) => {
    const report = jest.fn();
    expect(parseCheckString(text, report)).toEqual(FALSE_CHECK);
    expect(report).toHaveBeenCalled();
  });
});

describe('parseCheckAtom', () => {
  it('splits at the first colon only', () => {
    expect(parseCheckAtom('role:compute:admin')).toEqual(role('compute:admin'));
    expect(parseCheckAtom('rule:esi_leap:offer:get')).toEqual({ type: 'rule', name: 'esi_leap:offer:get' });
  });

  it('makes an atom without a colon false, and says so', () => {
    const report = jest.fn();
    expect(parseCheckAtom('admin', report)).toEqual(FALSE_CHECK);
    expect(report).toHaveBeenCalledWith(expect.stringContaining('admin'));
  });

  it('makes remote http/https checks false', () => {
    expect(parseCheckAtom('http://policy.example.com/check')).toEqual(FALSE_CHECK);
    expect(parseCheckAtom('https://policy.example.com/check')).toEqual(FALSE_CHECK);
  });

  it('reads any other kind as a generic check', () => {
    expect(parseCheckAtom("'member':%(role.name)s")).toEqual({
      type: 'generic',
      kind: "'member'",
      match: '%(role.name)s',
    });
  });
});

describe('parseRule', () => {
  it('reads the legacy list-of-lists form: outer list = or, inner list = and', () => {
    expect(parseRule([['role:a', 'role:b'], ['role:c']])).toEqual({
      type: 'or',
      checks: [{ type: 'and', checks: [role('a'), role('b')] }, role('c')],
    });
    expect(parseRule(['role:a'])).toEqual(role('a'));
    expect(parseRule([])).toEqual(TRUE_CHECK);
    expect(parseRule([[]])).toEqual(FALSE_CHECK);
  });

  it('reads YAML null (an empty value) as allow, like oslo.policy, and says so', () => {
    const report = jest.fn();
    expect(parseRule(null, report)).toEqual(TRUE_CHECK);
    expect(report).toHaveBeenCalledWith('an empty value allows everyone');
  });

  it('rejects values that are not rules', () => {
    expect(() => parseRule(5)).toThrow('a rule must be a check string, got 5');
    expect(() => parseRule(true)).toThrow(TypeError);
    expect(() => parseRule({ a: 'b' })).toThrow(TypeError);
  });
});
