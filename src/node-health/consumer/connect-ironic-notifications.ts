import { INestApplication, Logger } from '@nestjs/common';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { IronicNotificationsServer } from './ironic-notifications.server';
import { ironicNotificationsSettings } from './ironic-notifications.settings';

/**
 * Attaches the Ironic notification consumer to an application running the manager role (a
 * hybrid Nest application: HTTP, if any, plus this transport), when `[ironic_notifications]
 * enabled`. The caller then starts it with `app.startAllMicroservices()`; `app.close()` stops it.
 */
export function connectIronicNotifications(app: INestApplication, config: EsiLeapConfig): boolean {
  if (!config.ironic_notifications.enabled) return false;
  const settings = ironicNotificationsSettings(config);
  new Logger('esi-leap.node_health').log(
    `Ironic notifications: queue ${settings.queue} on exchange ${settings.exchange} (${settings.routingKeys.join(', ')})`,
  );
  app.connectMicroservice({ strategy: new IronicNotificationsServer(settings) });
  return true;
}
