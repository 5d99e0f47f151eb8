import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The lease, in payload form, as it was when event `event_id` was written (table `notification_lease_snapshots`). */
@Entity({ name: 'notification_lease_snapshots' })
export class LeaseSnapshotEntity {
  @PrimaryColumn({ name: 'event_id', type: 'int' })
  eventId: number;

  @Column({ name: 'lease', type: 'text' })
  lease: string;
}
