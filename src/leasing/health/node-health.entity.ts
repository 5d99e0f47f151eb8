import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/** `healthy`; `unhealthy` (see `reason`); `gone`: the node no longer exists in its backend. */
export type NodeHealthState = 'healthy' | 'unhealthy' | 'gone';

/**
 * What esi-leap last learnt about a node's health (table `node_health`). A node without a row
 * has never been seen unhealthy and counts as healthy.
 */
@Entity({ name: 'node_health' })
export class NodeHealthEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'varchar', length: 36 })
  resourceType: string;

  @PrimaryColumn({ name: 'resource_uuid', type: 'varchar', length: 36 })
  resourceUuid: string;

  @Column({ name: 'state', type: 'varchar', length: 16 })
  state: NodeHealthState;

  /** Why the node is unhealthy, as the API shows it; null when healthy. */
  @Column({ name: 'reason', type: 'varchar', length: 255, nullable: true })
  reason: string | null;

  @Column({ name: 'owner', type: 'varchar', length: 255, nullable: true })
  owner: string | null;

  @Column({ name: 'resource_class', type: 'varchar', length: 255, nullable: true })
  resourceClass: string | null;

  /**
   * The previous owner while the end of what it granted on the node is still to be carried out:
   * set in the transaction that records the new owner, cleared once that end is done, so a
   * crash in between cannot forget it.
   */
  @Column({ name: 'owner_handover_from', type: 'varchar', length: 255, nullable: true })
  ownerHandoverFrom: string | null;

  /** When what the row says was observed (a read through the driver, or a notification's time). */
  @Column({ name: 'observed_at', type: 'varchar', transformer: utcTimeTransformer })
  observedAt: UtcTime;

  @Column({ name: 'updated_at', type: 'varchar', transformer: utcTimeTransformer })
  updatedAt: UtcTime;
}
