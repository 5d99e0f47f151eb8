import { promises as dns } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidWebhookTarget, ServiceUnavailable } from '../common/errors/esi-leap.exceptions';
import { refusal } from './target-addresses';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhook-settings';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to all its addresses; replaceable so tests can play DNS answers. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const WEBHOOK_RESOLVER = 'WEBHOOK_RESOLVER';

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export const LONGEST_URL = 1024;

/** A target refused at delivery time: recorded as the attempt's error, never retried into. */
export class TargetRefused extends Error {}

/**
 * Where webhooks may point (server-side request forgery guard): `http`/`https` URLs without
 * credentials whose host is, and resolves only to, public addresses, unless `[webhooks]
 * allow_private_targets` (cloud metadata addresses stay refused either way). Checked when a
 * webhook is created and again at every delivery, on the address actually connected to, so
 * a name that later resolves to loopback (DNS rebinding) is refused then.
 */
@Injectable()
export class WebhookTargets {
  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    @Inject(WEBHOOK_RESOLVER) private readonly resolver: HostResolver,
  ) {}

  /** The URL a webhook is created with, checked; 400 when it may not be used. */
  async checkNew(text: string): Promise<URL> {
    const refuse = (reason: string) => new InvalidWebhookTarget({ url: text, reason });
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw refuse('not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('only http and https URLs are allowed');
    if (url.username || url.password) throw refuse('credentials in the URL are not allowed');
    const host = hostOf(url);
    if (isIP(host)) {
      const refused = refusal(host, this.settings.allowPrivateTargets);
      if (refused) throw refuse(refused);
      return url;
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolver(host);
    } catch (err) {
      if ((err as { code?: string }).code === 'EAI_AGAIN') throw new ServiceUnavailable({ service: 'DNS' });
      throw refuse(`host ${host} does not resolve`);
    }
    const refused = this.refusalOf(addresses);
    if (refused) throw refuse(`${host} resolves to ${refused}`);
    return url;
  }

  /** Why a delivery to `url` may not even start (its host is a refused address), or null. */
  literalRefusal(url: URL): string | null {
    const host = hostOf(url);
    return isIP(host) ? refusal(host, this.settings.allowPrivateTargets) : null;
  }

  /** The DNS look-up of deliveries: refuses the connection when the name resolves to a refused address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolver(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new Error(`${hostname} has no address`);
        const refused = this.refusalOf(addresses);
        if (refused) throw new TargetRefused(`${hostname} resolves to ${refused}`);
        const family =
          options.family === 6 || options.family === 'IPv6'
            ? 6
            : options.family === 4 || options.family === 'IPv4'
              ? 4
              : 0;
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        if (usable.length === 0) throw new Error(`${hostname} has no IPv${family} address`);
        if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      })
      .catch((err: Error) => callback(err as NodeJS.ErrnoException, '', 0));
  };

  /** The first refusal among a name's addresses: one refused address refuses the name. */
  private refusalOf(addresses: readonly ResolvedAddress[]): string | null {
    for (const { address } of addresses) {
      const refused = refusal(address, this.settings.allowPrivateTargets);
      if (refused) return refused;
    }
    return null;
  }
}

/** The URL's host without the brackets of an IPv6 literal. */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}
