import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../auth/request-context';
import { Clock } from '../common/clock';
import { NodeNotFound } from '../common/errors/esi-leap.exceptions';
import { toEpochSeconds } from '../common/time';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { ResourceDriver, ResourceInfo } from '../drivers/resource-driver';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';
import { PolicyService } from '../policy/policy.service';
import { ConsoleAuthTokensRepository } from './tokens/console-auth-tokens.repository';
import { consoleAccessUrl, hashConsoleToken, newConsoleToken, parseTokenTtl, tokenExpiry } from './tokens/console-token';
import { NewConsoleTokenInput } from './dto/console-token-body';

/** The response of `POST /v1/console_auth_tokens`; the only time the token is ever shown. */
export interface ConsoleTokenView {
  node_uuid: string;
  token: string;
  access_url: string;
}

/** The console token use cases: create a single-use token for a node, revoke a node's tokens. */
@Injectable()
export class ConsoleAuthTokensService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly drivers: ResourceDriverRegistry,
    private readonly policy: PolicyService,
    private readonly tokens: ConsoleAuthTokensRepository,
  ) {}

  async create(ctx: RequestContext, input: NewConsoleTokenInput): Promise<ConsoleTokenView> {
    const proxy = this.config.serialconsoleproxy;
    // Upstream validates the TTL before it looks the node up; a bad TTL never costs a lookup.
    const ttl = parseTokenTtl(input.tokenTtl, proxy.token_ttl);
    const now = this.clock.now();
    const expires = tokenExpiry(toEpochSeconds(now), ttl);
    const { driver, node } = await this.consoleNode(ctx, input.nodeUuidOrName);
    await driver.setConsoleEnabled?.(node.uuid, true);

    const token = newConsoleToken();
    await this.tokens.create({ nodeUuid: node.uuid, tokenHash: hashConsoleToken(token), expires, createdAt: now });
    return {
      node_uuid: node.uuid,
      token,
      access_url: consoleAccessUrl(
        { publicUrl: proxy.public_url, hostAddress: proxy.host_address, port: proxy.port },
        token,
      ),
    };
  }

  /** Revokes every outstanding token of the node; sessions already open are not cut. */
  async deleteForNode(ctx: RequestContext, ident: string): Promise<void> {
    const { node } = await this.consoleNode(ctx, ident);
    await this.tokens.deleteForNode(node.uuid);
  }

  /**
   * The node through the driver of `[api] default_resource_type`. Upstream asks Ironic as the
   * caller, so Ironic's policy hides nodes the caller's project neither owns nor leases; the
   * driver reads with service credentials, so that rule is applied here, and a hidden node is
   * the same 404 as a missing one.
   */
  private async consoleNode(
    ctx: RequestContext,
    ident: string,
  ): Promise<{ driver: ResourceDriver; node: ResourceInfo }> {
    const driver = this.drivers.get(this.config.api.default_resource_type);
    const node = await driver.get(await driver.resolveIdent(ident));
    if (!node || !this.mayUseConsole(ctx, node)) {
      throw new NodeNotFound({ uuid: ident, resource_type: driver.resourceType, err: driver.notFoundReason?.(ident) ?? 'Node not found' });
    }
    return { driver, node };
  }

  private mayUseConsole(ctx: RequestContext, node: ResourceInfo): boolean {
    const project = ctx.creds.project_id;
    if (project && (project === node.ownerProjectId || project === node.lesseeProjectId)) return true;
    return this.policy.enforce('is_admin', ctx.creds);
  }
}
