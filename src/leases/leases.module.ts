import { Module } from '@nestjs/common';
import { LeasingModule } from '../leasing/leasing.module';
import { LeasesController } from './leases.controller';
import { LeasesService } from './leases.service';

@Module({ imports: [LeasingModule], controllers: [LeasesController], providers: [LeasesService] })
export class LeasesModule {}
