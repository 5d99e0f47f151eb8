import { EsiLeapConfig } from '../../config/esi-leap-config';
import { identityV3Url, KeystoneSession, keystoneAuthOptionsFrom } from '../../openstack/keystone-session';
import { OutboundHttp } from '../../openstack/outbound-http';
import { outboundSettingsFrom } from '../../openstack/outbound-settings';
import { KeystoneAuthentication } from './keystone-authentication';
import { KeystoneTokenValidator } from './keystone-token-validator';

/** Builds the token check from `[keystone_authtoken]`; a section missing its credentials fails the boot. */
export function keystoneAuthenticationFrom(config: EsiLeapConfig): KeystoneAuthentication {
  const section = config.keystone_authtoken;
  const http = new OutboundHttp(outboundSettingsFrom('Keystone', 'keystone_authtoken', section));
  let session: KeystoneSession;
  try {
    session = new KeystoneSession(keystoneAuthOptionsFrom(section), http);
  } catch (err) {
    throw new Error(`[keystone_authtoken]: ${(err as Error).message} (required with [pecan] auth_enable = true)`);
  }
  const authUrl = section.auth_url as string;
  const validator = new KeystoneTokenValidator(session, identityV3Url(authUrl), section.token_cache_time);
  return new KeystoneAuthentication(validator, section.www_authenticate_uri ?? section.auth_uri ?? authUrl);
}
