import { Module } from '@nestjs/common';
import { BookingModule } from '../leasing/booking/booking.module';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

@Module({ imports: [BookingModule], controllers: [EventsController], providers: [EventsService] })
export class EventsModule {}
