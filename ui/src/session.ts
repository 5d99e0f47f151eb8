/**
 * The Keystone token of this browser tab. Session storage: it goes with the tab, is never
 * written to disk by the service, and is sent only as X-Auth-Token to this origin.
 */
const TOKEN_KEY = 'esi-leap.token';
const IDENTITY_KEY = 'esi-leap.identity';

/** Who the token is for, as Keystone said at sign-in (absent for a pasted token). */
export interface Identity {
  readonly user?: string;
  readonly project?: string;
  readonly expiresAt?: string;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storedIdentity(): Identity | null {
  const text = sessionStorage.getItem(IDENTITY_KEY);
  if (!text) return null;
  try {
    return JSON.parse(text) as Identity;
  } catch {
    return null;
  }
}

export function keepToken(token: string, identity: Identity): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(IDENTITY_KEY, JSON.stringify(identity));
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(IDENTITY_KEY);
}
