import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/** Table `console_auth_tokens` (upstream's shape): only the SHA-256 of a token is kept. */
@Entity({ name: 'console_auth_tokens' })
export class ConsoleAuthTokenEntity {
  @PrimaryGeneratedColumn({ name: 'id' })
  id: number;

  @Column({ name: 'node_uuid', type: 'varchar', length: 255 })
  nodeUuid: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 255 })
  tokenHash: string;

  /** Unix epoch seconds, UTC. */
  @Column({ name: 'expires', type: 'integer' })
  expires: number;

  @Column({ name: 'created_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  createdAt: UtcTime | null;

  @Column({ name: 'updated_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  updatedAt: UtcTime | null;
}
