import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ConfigModule } from '../config/config.module';
import { LoadedConfig } from '../config/config-loader';
import { ConsoleProxyModule } from '../console/console-proxy.module';
import { DatabaseModule } from '../db/database.module';
import { EnforcementOnEndModule } from '../lease-policy/enforcement/on-end.module';
import { ManagerModule } from '../manager/manager.module';
import { NodeHealthModule } from '../node-health/node-health.module';
import { NotificationRelayModule } from '../notifications/notifications.module';
import { OpsModule } from '../ops/ops.module';
import { WebhookDeliveryModule } from '../webhooks/webhook-delivery.module';
import { WebhooksApiModule } from '../webhooks/webhooks-api.module';
import { ApiModule } from './api.module';
import { BookingGuardsModule } from './booking-guards.module';
import { RoleSet } from './roles';

/**
 * The root module: configuration, database and the operations endpoints (health, metrics)
 * always, then the modules of the roles asked for.
 */
@Module({})
export class AppModule {
  static forRoot(loaded: LoadedConfig, roles: RoleSet): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(loaded),
        CommonModule,
        DatabaseModule.forRoot(),
        OpsModule.forRoot(loaded.config),
        // Bookings are made by the API and by the manager (moving leases off broken nodes).
        ...(roles.api || roles.manager ? [BookingGuardsModule] : []),
        ...(roles.api ? [ApiModule] : []),
        // Without `[webhooks] enabled` the routes do not exist: upstream's answers stay the same.
        ...(roles.api && loaded.config.webhooks.enabled ? [WebhooksApiModule] : []),
        ...(roles.manager ? [ManagerModule] : []),
        // Node health is recorded where the manager runs: notifications, reconcile, effects.
        ...(roles.manager ? [NodeHealthModule] : []),
        // The notification relay and the webhook deliveries run where the manager runs.
        ...(roles.manager ? [NotificationRelayModule, WebhookDeliveryModule] : []),
        // So are the external enforcement service's on-end calls.
        ...(roles.manager ? [EnforcementOnEndModule] : []),
        ...(roles.consoleProxy ? [ConsoleProxyModule] : []),
      ],
    };
  }
}
