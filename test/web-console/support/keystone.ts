import { issueToken as issueUserToken, keystoneConf, KeystoneIdentity, startKeystone } from '../../keystone/keystone-service';

export { keystoneConf, startKeystone };
export type KeystoneIdentities = KeystoneIdentity;

/** A project-scoped token for a fixture user, in the project the fixtures gave it. */
export function issueToken(ks: KeystoneIdentity, user: string): Promise<string> {
  return issueUserToken(ks, user, ks.user_password, ks.users[user].project);
}
