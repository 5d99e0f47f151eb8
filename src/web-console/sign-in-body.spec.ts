import { ClientError } from '../common/errors/esi-leap.exceptions';
import { parseSignInBody } from './sign-in-body';

const refusal = (body: unknown): string => {
  try {
    parseSignInBody(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ClientError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('parseSignInBody', () => {
  it('takes user, password, project and domain, with Keystone’s default domain', () => {
    expect(parseSignInBody({ username: 'alice', password: 'pw', project: 'lab' })).toEqual({
      username: 'alice',
      password: 'pw',
      project: 'lab',
      domain: 'Default',
    });
    expect(parseSignInBody({ username: 'a', password: 'p', project: 'x', domain: 'Lab' }).domain).toBe('Lab');
  });

  it.each([
    [undefined, 'Sign-in needs a JSON object with username, password and project.'],
    [{ username: 'a', project: 'x' }, 'Sign-in needs a password.'],
    [{ username: 'a', password: '', project: 'x' }, 'Sign-in needs a password.'],
    [{ password: 'p', project: 'x' }, 'Sign-in needs a username.'],
    [{ username: 'a', password: 'p' }, 'Sign-in needs a project.'],
    [{ username: 'a', password: 12345, project: 'x' }, 'The password must be a string.'],
    [{ username: 'a'.repeat(256), password: 'p', project: 'x' }, 'The username is longer than 255 characters.'],
    [{ username: 'a', password: 'p', project: 'x', token: 't' }, 'Unknown attribute for sign-in: token'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it('never repeats a submitted value in a refusal', () => {
    const secret = 'hunter2-secret';
    for (const body of [
      { username: secret, password: 42, project: 'x' },
      { username: 'a', password: secret, project: secret.repeat(40) },
    ]) {
      expect(refusal(body)).not.toContain(secret);
    }
  });
});
