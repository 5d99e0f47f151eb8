import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThanOrEqual } from 'typeorm';
import { UtcTime } from '../../common/time';
import { ConsoleAuthTokenEntity } from './console-auth-token.entity';

export interface NewConsoleAuthToken {
  readonly nodeUuid: string;
  readonly tokenHash: string;
  /** Unix epoch seconds, UTC. */
  readonly expires: number;
  readonly createdAt: UtcTime;
}

/** What presenting a token to the proxy came to. */
export type TokenRedemption =
  { readonly kind: 'redeemed'; readonly nodeUuid: string } | { readonly kind: 'unknown' | 'expired' };

/** Every SQL question about console auth tokens. */
@Injectable()
export class ConsoleAuthTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(token: NewConsoleAuthToken): Promise<void> {
    await this.dataSource.getRepository(ConsoleAuthTokenEntity).insert({ ...token, updatedAt: null });
  }

  /**
   * Uses a token up (docs/decisions.md, "Console": single use, expiry checked on connect). The DELETE
   * decides: of two connections presenting the same token at once, only the one whose
   * DELETE removed the row gets through. An expired row is removed as well.
   */
  async redeem(tokenHash: string, nowEpochSeconds: number): Promise<TokenRedemption> {
    const repo = this.dataSource.getRepository(ConsoleAuthTokenEntity);
    const row = await repo.findOneBy({ tokenHash });
    if (!row) return { kind: 'unknown' };
    const { affected } = await repo.delete({ id: row.id });
    if (!affected) return { kind: 'unknown' };
    return row.expires > nowEpochSeconds ? { kind: 'redeemed', nodeUuid: row.nodeUuid } : { kind: 'expired' };
  }

  /** Removes every token of a node; `em` joins the caller's transaction (lease removal). */
  deleteForNode(nodeUuid: string, em: EntityManager = this.dataSource.manager): Promise<number> {
    return this.deleteForNodes([nodeUuid], em);
  }

  async deleteForNodes(nodeUuids: readonly string[], em: EntityManager = this.dataSource.manager): Promise<number> {
    if (nodeUuids.length === 0) return 0;
    const result = await em.getRepository(ConsoleAuthTokenEntity).delete({ nodeUuid: In([...nodeUuids]) });
    return result.affected ?? 0;
  }

  /** Removes tokens whose expiry (epoch seconds) has passed; returns how many. */
  async deleteExpired(nowEpochSeconds: number): Promise<number> {
    const result = await this.dataSource
      .getRepository(ConsoleAuthTokenEntity)
      .delete({ expires: LessThanOrEqual(nowEpochSeconds) });
    return result.affected ?? 0;
  }
}
