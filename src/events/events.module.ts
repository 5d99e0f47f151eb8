import { Module } from '@nestjs/common';
import { LeasingModule } from '../leasing/leasing.module';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

@Module({ imports: [LeasingModule], controllers: [EventsController], providers: [EventsService] })
export class EventsModule {}
