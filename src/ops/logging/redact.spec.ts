import { redactText, redactValue } from './redact';

describe('redactText', () => {
  it.each([
    ['mysql+pymysql://esi_leap:s3cr3t@db.example.org/esi_leap', 'mysql+pymysql://esi_leap:***@db.example.org/esi_leap'],
    ['cannot connect to rabbit://user:pa;ss@rabbit:5672/', 'cannot connect to rabbit://user:***@rabbit:5672/'],
    ['X-Auth-Token: gAAAAABk', 'X-Auth-Token: ***'],
    ['Authorization: Bearer gAAAAABk', 'Authorization: Bearer ***'],
    ['{"password":"hunter2","user":"admin"}', '{"password":"***","user":"admin"}'],
    ['GET /v1/offers 200', 'GET /v1/offers 200'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactValue', () => {
  it('masks credential keys and scans nested strings, leaving the input untouched', () => {
    const input = { headers: { 'X-Auth-Token': 'abc', Accept: '*/*' }, url: 'mysql://u:p@h/d', n: 1 };
    expect(redactValue(input)).toEqual({
      headers: { 'X-Auth-Token': '***', Accept: '*/*' },
      url: 'mysql://u:***@h/d',
      n: 1,
    });
    expect(input.headers['X-Auth-Token']).toBe('abc');
  });
});
