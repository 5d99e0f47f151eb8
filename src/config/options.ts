/**
 * Every option esi-leap reads, by `[section]` and name, exactly as the Python service registers
 * them (its own options plus the library groups it relies on), and the few options of our
 * own (origin `esi-leap-ts`). `EsiLeapConfig` is derived from this table, and so are the sample
 * configuration and the reference table in docs/configuration.md.
 */
import { OptionDef } from './option-types';
import {
  additionApiOptions,
  additionDatabaseOptions,
  additionDefaultOptions,
  additionEmailOptions,
  additionEnforcementOptions,
  additionIronicNotificationsOptions,
  additionIronicOptions,
  additionKeystoneAuthtokenOptions,
  additionKeystoneOptions,
  additionLeasePolicyOptions,
  additionManagerOptions,
  additionMetricsOptions,
  additionNodeHealthOptions,
  additionNoauthOptions,
  additionNotificationOptions,
  additionRemindersOptions,
  additionSerialConsoleProxyOptions,
  additionWebhooksOptions,
} from './option-sets/esi-leap-ts';
import {
  esiLeapApiOptions,
  esiLeapDefaultOptions,
  esiLeapDummyNodeOptions,
  esiLeapNotificationOptions,
  esiLeapPecanOptions,
  esiLeapSerialConsoleProxyOptions,
} from './option-sets/esi-leap';
import { keystoneauthAuthOptions, keystoneauthClientOptions } from './option-sets/keystoneauth';
import { keystonemiddlewareOptions } from './option-sets/keystonemiddleware';
import { osloConcurrencyOptions } from './option-sets/oslo-concurrency';
import { osloDbOptions } from './option-sets/oslo-db';
import { osloLogOptions } from './option-sets/oslo-log';
import {
  osloMessagingDefaultOptions,
  osloMessagingNotificationsOptions,
  osloMessagingRabbitOptions,
} from './option-sets/oslo-messaging';
import { osloMiddlewareOptions } from './option-sets/oslo-middleware';
import { osloPolicyOptions } from './option-sets/oslo-policy';
import { osloServiceDefaultOptions, osloServiceSslOptions } from './option-sets/oslo-service';

export const OPTIONS = {
  DEFAULT: {
    ...esiLeapDefaultOptions,
    ...additionDefaultOptions,
    ...osloLogOptions,
    ...osloMessagingDefaultOptions,
    ...osloServiceDefaultOptions,
  },
  api: { ...esiLeapApiOptions, ...additionApiOptions },
  database: { ...osloDbOptions, ...additionDatabaseOptions },
  dummy_node: esiLeapDummyNodeOptions,
  email: additionEmailOptions,
  enforcement: additionEnforcementOptions,
  ironic: { ...keystoneauthClientOptions('baremetal'), ...additionIronicOptions },
  ironic_notifications: additionIronicNotificationsOptions,
  keystone: { ...keystoneauthClientOptions('identity'), ...additionKeystoneOptions },
  keystone_authtoken: { ...keystonemiddlewareOptions, ...keystoneauthAuthOptions, ...additionKeystoneAuthtokenOptions },
  lease_policy: additionLeasePolicyOptions,
  manager: additionManagerOptions,
  metrics: additionMetricsOptions,
  noauth: additionNoauthOptions,
  node_health: additionNodeHealthOptions,
  notification: { ...esiLeapNotificationOptions, ...additionNotificationOptions },
  oslo_concurrency: osloConcurrencyOptions,
  oslo_messaging_notifications: osloMessagingNotificationsOptions,
  oslo_messaging_rabbit: osloMessagingRabbitOptions,
  oslo_middleware: osloMiddlewareOptions,
  oslo_policy: osloPolicyOptions,
  pecan: esiLeapPecanOptions,
  reminders: additionRemindersOptions,
  serialconsoleproxy: { ...esiLeapSerialConsoleProxyOptions, ...additionSerialConsoleProxyOptions },
  ssl: osloServiceSslOptions,
  webhooks: additionWebhooksOptions,
} as const satisfies Record<string, Record<string, OptionDef<unknown>>>;

export type SectionName = keyof typeof OPTIONS;

export interface PlacedOption {
  readonly section: SectionName;
  readonly name: string;
  readonly def: OptionDef<unknown>;
}

/** The table flattened, sections in oslo-config-generator order (DEFAULT first, then by name). */
export const OPTION_LIST: readonly PlacedOption[] = (Object.keys(OPTIONS) as SectionName[])
  .sort((a, b) => (a === 'DEFAULT' ? -1 : b === 'DEFAULT' ? 1 : a.localeCompare(b)))
  .flatMap((section) =>
    Object.entries(OPTIONS[section] as Record<string, OptionDef<unknown>>).map(([name, def]) => ({
      section,
      name,
      def,
    })),
  );
