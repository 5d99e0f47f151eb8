import { ClientError } from '../common/errors/esi-leap.exceptions';
import { isJsonObject } from '../common/http/lossless-json';
import { PasswordCredentials } from './keystone-sign-in';

/** Keystone's default domain, which most users belong to. */
export const DEFAULT_DOMAIN = 'Default';
/** Keystone's longest names; a password is only passed on, Keystone bounds it. */
const MAX_NAME = 255;
const FIELDS = ['username', 'password', 'project', 'domain'] as const;

/**
 * The sign-in form's body. Unlike the resource bodies, no message ever repeats a value: one of
 * them is a password.
 */
export function parseSignInBody(body: unknown): PasswordCredentials {
  if (!isJsonObject(body)) throw new ClientError('Sign-in needs a JSON object with username, password and project.');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ClientError(`Unknown attribute for sign-in: ${unknown.join(', ')}`);
  const text = (name: (typeof FIELDS)[number], required: boolean): string | undefined => {
    const value = input[name];
    if (value === undefined || value === null || value === '') {
      if (required) throw new ClientError(`Sign-in needs a ${name}.`);
      return undefined;
    }
    if (typeof value !== 'string') throw new ClientError(`The ${name} must be a string.`);
    if (name !== 'password' && [...value].length > MAX_NAME) {
      throw new ClientError(`The ${name} is longer than ${MAX_NAME} characters.`);
    }
    return value;
  };
  return {
    username: text('username', true)!,
    password: text('password', true)!,
    project: text('project', true)!,
    domain: text('domain', false) ?? DEFAULT_DOMAIN,
  };
}
