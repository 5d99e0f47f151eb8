import { Module } from '@nestjs/common';
import { LeasingDataModule } from '../leasing/data/leasing-data.module';
import { ProjectsModule } from '../projects/projects.module';
import { NodesController } from './nodes.controller';
import { NodesService } from './nodes.service';

@Module({ imports: [LeasingDataModule, ProjectsModule], controllers: [NodesController], providers: [NodesService] })
export class NodesModule {}
