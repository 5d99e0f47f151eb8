import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';

/** Every SQL question about webhook registrations. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, webhook: WebhookEntity): Promise<void> {
    await em.getRepository(WebhookEntity).insert(webhook);
  }

  countByProject(em: EntityManager, projectId: string): Promise<number> {
    return em.getRepository(WebhookEntity).countBy({ projectId });
  }

  findById(id: string): Promise<WebhookEntity | null> {
    return this.dataSource.getRepository(WebhookEntity).findOneBy({ id });
  }

  findByIds(ids: readonly string[]): Promise<WebhookEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(WebhookEntity).findBy({ id: In([...ids]) });
  }

  listByProject(projectId: string): Promise<WebhookEntity[]> {
    return this.dataSource
      .getRepository(WebhookEntity)
      .find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The webhooks of any of `projectIds`, for matching events. */
  forProjects(projectIds: readonly string[]): Promise<WebhookEntity[]> {
    if (projectIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(WebhookEntity).findBy({ projectId: In([...projectIds]) });
  }

  /** The webhook and its deliveries, in one transaction. */
  async delete(em: EntityManager, id: string): Promise<void> {
    await em.getRepository(WebhookDeliveryEntity).delete({ webhookId: id });
    await em.getRepository(WebhookEntity).delete({ id });
  }
}
