import { Global, Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG, LOADED_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { policySearchDirs } from './policy-file';
import { PolicyGuard } from './policy.guard';
import { PolicyService } from './policy.service';

/** oslo.policy's default `policy_file`; only a file named otherwise must exist. */
const DEFAULT_POLICY_FILE = 'policy.yaml';

@Global()
@Module({
  providers: [
    {
      provide: PolicyService,
      inject: [ESI_LEAP_CONFIG, LOADED_CONFIG],
      useFactory: (config: EsiLeapConfig, loaded: { readonly files: readonly string[] }) =>
        PolicyService.fromSources(
          {
            policyFile: config.oslo_policy.policy_file,
            policyFileRequired: config.oslo_policy.policy_file !== DEFAULT_POLICY_FILE,
            policyDirs: config.oslo_policy.policy_dirs,
            searchDirs: policySearchDirs(loaded.files),
            defaultRule: config.oslo_policy.policy_default_rule,
          },
          // Enforced in noauth mode too, on the identity from the headers (docs/decisions.md, "Identity and policy").
          true,
        ),
    },
    PolicyGuard,
  ],
  exports: [PolicyService, PolicyGuard],
})
export class PolicyModule {}
