import { Module } from '@nestjs/common';
import { OutboxCursorsRepository } from './outbox-cursors.repository';

/** Where each consumer of the events outbox keeps its place (OutboxConsumer reads with it). */
@Module({ providers: [OutboxCursorsRepository], exports: [OutboxCursorsRepository] })
export class OutboxModule {}
