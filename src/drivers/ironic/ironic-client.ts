import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { NodeNotFound } from '../../common/errors/esi-leap.exceptions';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { NodeListFilters } from '../resource-driver';
import { IronicRequestFailed } from './ironic-errors';
import { IronicHttp, IronicRequest, ironicHttpSettingsFrom } from './ironic-http';
import { IronicNode } from './ironic-node';

export type JsonPatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

interface NodePage {
  nodes: IronicNode[];
  next?: string;
}

export interface NodeConsole {
  readonly console_enabled: boolean;
  readonly console_info: { readonly type?: string; readonly url?: string } | null;
}

/**
 * The Ironic node calls esi-leap makes, on one HTTP client per process. Ironic's 404 for a node
 * becomes NodeNotFound; transport failures are ServiceUnavailable (IronicHttp).
 *
 * Identical reads in flight at the same time are one Ironic call (a burst of requests about one
 * node asks Ironic once), but a read never joins one that started before a write made through
 * this client: whoever reads after a change sees it.
 */
@Injectable()
export class IronicClient implements OnApplicationShutdown {
  private transport: IronicHttp | null = null;
  private readonly reads = new Map<string, { readonly writes: number; readonly result: Promise<unknown> }>();
  /** Counts write starts and ends; a read in flight is shared only while this has not moved. */
  private writes = 0;

  constructor(@Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig) {}

  /** `GET /v1/nodes/{ident}` by UUID or name, optionally only some fields. */
  getNode(ident: string, fields?: readonly string[]): Promise<IronicNode> {
    const query = fields ? `?fields=${fields.join(',')}` : '';
    return this.onNode(ident, 'GET', query);
  }

  /** Whether Ironic answers, for `/healthcheck`. */
  probe(deadline: AbortSignal): Promise<void> {
    return this.http().probe(deadline);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport?.close();
  }

  /**
   * Every node matching the filters, following Ironic's `next` links: a fleet larger than
   * Ironic's `[api] max_limit` is listed completely.
   */
  listNodes(
    filters: NodeListFilters,
    fields: readonly string[],
    userToken: string | null = null,
  ): Promise<IronicNode[]> {
    // The caller's token decides what Ironic shows, so it is part of the key (as a digest).
    const who = userToken === null ? 'service' : createHash('sha256').update(userToken).digest('hex');
    const key = `list ${who} ${JSON.stringify([filters.resourceClass, filters.owner, filters.lessee, fields])}`;
    return this.shared(key, () => this.listAllPages(filters, fields, userToken));
  }

  private async listAllPages(
    filters: NodeListFilters,
    fields: readonly string[],
    userToken: string | null,
  ): Promise<IronicNode[]> {
    const query = new URLSearchParams({ fields: fields.join(',') });
    if (filters.resourceClass !== undefined) query.set('resource_class', filters.resourceClass);
    if (filters.owner !== undefined) query.set('owner', filters.owner);
    if (filters.lessee !== undefined) query.set('lessee', filters.lessee);
    const nodes: IronicNode[] = [];
    const seen = new Set<string>();
    for (;;) {
      const page = await this.http().send<NodePage>('GET', `/v1/nodes?${query}`, { userToken });
      nodes.push(...page.nodes);
      // The marker is taken from `next` and sent to our own endpoint: Ironic builds `next` from
      // its public URL, which need not be the URL esi-leap reaches it at.
      const marker = page.next ? new URL(page.next).searchParams.get('marker') : null;
      if (!marker || page.nodes.length === 0 || seen.has(marker)) return nodes;
      seen.add(marker);
      query.set('marker', marker);
    }
  }

  patchNode(uuid: string, ops: readonly JsonPatchOp[]): Promise<IronicNode> {
    return this.onNode(uuid, 'PATCH', '', { body: ops });
  }

  async setConsoleEnabled(uuid: string, enabled: boolean): Promise<void> {
    await this.onNode(uuid, 'PUT', '/states/console', { body: { enabled } });
  }

  /** `GET /v1/nodes/{uuid}/states/console`: whether it is on, and where (`console_info`). */
  getConsole(uuid: string): Promise<NodeConsole> {
    return this.onNode<NodeConsole>(uuid, 'GET', '/states/console');
  }

  async setProvisionState(uuid: string, target: string): Promise<void> {
    await this.onNode(uuid, 'PUT', '/states/provision', { body: { target } });
  }

  async listVifs(uuid: string): Promise<string[]> {
    const body = await this.onNode<{ vifs: { id: string }[] }>(uuid, 'GET', '/vifs');
    return body.vifs.map((v) => v.id);
  }

  async detachVif(uuid: string, vifId: string): Promise<void> {
    await this.onNode(uuid, 'DELETE', `/vifs/${encodeURIComponent(vifId)}`);
  }

  private async onNode<T = IronicNode>(
    ident: string,
    method: string,
    suffix: string,
    request: IronicRequest = {},
  ): Promise<T> {
    const path = `/v1/nodes/${encodeURIComponent(ident)}${suffix}`;
    const send = () => this.http().send<T>(method, path, request);
    try {
      return await (method === 'GET' ? this.shared(`GET ${path}`, send) : this.writing(send));
    } catch (err) {
      if (
        err instanceof IronicRequestFailed &&
        err.httpStatus === 404 &&
        /^Node .* could not be found/.test(err.faultstring)
      ) {
        throw new NodeNotFound({ uuid: ident, resource_type: 'ironic_node', err: err.faultstring });
      }
      throw err;
    }
  }

  /** One call for identical concurrent reads, unless a write started or ended since it began. */
  private shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const current = this.reads.get(key);
    if (current && current.writes === this.writes) return current.result as Promise<T>;
    const result = read().finally(() => {
      if (this.reads.get(key)?.result === result) this.reads.delete(key);
    });
    this.reads.set(key, { writes: this.writes, result });
    return result;
  }

  private async writing<T>(write: () => Promise<T>): Promise<T> {
    this.writes++;
    try {
      return await write();
    } finally {
      this.writes++;
    }
  }

  /** Built on first use, so a deployment without Ironic never needs `[ironic]` settings. */
  private http(): IronicHttp {
    this.transport ??= new IronicHttp(ironicHttpSettingsFrom(this.config.ironic));
    return this.transport;
  }
}
