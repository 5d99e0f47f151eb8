import { EsiLeapConfig } from './esi-leap-config';

/** The two oslo notification drivers that put messages on the bus (v2 wraps them in an envelope). */
export type WireFormat = 'messagingv2' | 'messaging';
export const WIRE_FORMATS: readonly WireFormat[] = ['messagingv2', 'messaging'];

/** The configured `[oslo_messaging_notifications] driver`s that publish to the bus, in oslo's order. */
export function busWireFormats(config: EsiLeapConfig): WireFormat[] {
  return WIRE_FORMATS.filter((format) => config.oslo_messaging_notifications.driver.includes(format));
}
