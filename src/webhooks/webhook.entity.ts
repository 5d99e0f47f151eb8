import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../common/time';
import { utcTimeTransformer } from '../db/columns';

/** Table `webhooks`: a project's registration of a URL for some event types. */
@Entity({ name: 'webhooks' })
export class WebhookEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 255 })
  projectId: string;

  @Column({ name: 'url', type: 'varchar', length: 1024 })
  url: string;

  /** JSON list of event types, each exact or ending in `*`. */
  @Column({ name: 'event_types', type: 'text' })
  eventTypes: string;

  /** The signing secret, sealed (WebhookSecretBox). */
  @Column({ name: 'secret', type: 'text' })
  secret: string;

  @Column({ name: 'created_at', type: 'varchar', transformer: utcTimeTransformer })
  createdAt: UtcTime;
}
