import { Module } from '@nestjs/common';
import { LeasingModule } from '../leasing/leasing.module';
import { NodesController } from './nodes.controller';
import { NodesService } from './nodes.service';

@Module({ imports: [LeasingModule], controllers: [NodesController], providers: [NodesService] })
export class NodesModule {}
