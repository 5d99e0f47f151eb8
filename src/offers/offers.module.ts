import { Module } from '@nestjs/common';
import { LeasingModule } from '../leasing/leasing.module';
import { OffersController } from './offers.controller';
import { OffersService } from './offers.service';

@Module({ imports: [LeasingModule], controllers: [OffersController], providers: [OffersService] })
export class OffersModule {}
