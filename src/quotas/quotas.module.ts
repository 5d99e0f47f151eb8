import { Module } from '@nestjs/common';
import { LeasePolicyModule } from '../lease-policy/lease-policy.module';
import { ProjectsModule } from '../projects/projects.module';
import { QuotaPolicyTarget } from './quota-policy-target';
import { QuotasController } from './quotas.controller';
import { QuotasService } from './quotas.service';

/** `/v1/quotas`: a project's quotas, usage and lease limits. */
@Module({
  imports: [LeasePolicyModule, ProjectsModule],
  controllers: [QuotasController],
  providers: [QuotasService, QuotaPolicyTarget],
})
export class QuotasModule {}
