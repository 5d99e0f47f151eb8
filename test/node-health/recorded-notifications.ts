import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One AMQP message as Ironic 21.4 published it (fixtures/ironic-notifications.json). */
export interface RecordedMessage {
  readonly name: string;
  readonly routing_key: string;
  readonly content_type: string;
  /** The body verbatim: the messagingv2 envelope. */
  readonly body: string;
}

const FILE = path.join(__dirname, 'fixtures', 'ironic-notifications.json');

export const RECORDED: readonly RecordedMessage[] = (
  JSON.parse(readFileSync(FILE, 'utf8')) as { messages: RecordedMessage[] }
).messages;

export function recorded(name: string): RecordedMessage {
  const message = RECORDED.find((m) => m.name === name);
  if (!message) throw new Error(`no recorded notification named ${name}`);
  return message;
}

/** The inner oslo message of a recorded body. */
export function innerMessage(message: RecordedMessage): Record<string, any> {
  return JSON.parse((JSON.parse(message.body) as { 'oslo.message': string })['oslo.message']);
}

/**
 * The recorded body with the node's payload changed (its uuid pointed at a test's node, a
 * field set as the conductor would set it), re-encoded exactly as oslo does.
 */
export function rewritten(
  message: RecordedMessage,
  data: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  const inner = innerMessage(message);
  inner.payload['ironic_object.data'] = { ...inner.payload['ironic_object.data'], ...data };
  Object.assign(inner, extra);
  return JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(inner) });
}
