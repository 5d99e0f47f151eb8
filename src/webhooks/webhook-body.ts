import { AttributeSpec } from '../common/http/request-body';
import { LONGEST_URL } from './webhook-targets';

/** The attributes of `POST /v1/webhooks`; the others are shown but not written. */
export const WEBHOOK_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'uuid', access: 'R', type: 'string' },
  { name: 'project_id', access: 'R', type: 'string' },
  { name: 'url', access: 'W', type: 'string', mandatory: true, maxLength: LONGEST_URL },
  { name: 'event_types', access: 'W', type: 'string_list', mandatory: true, maxLength: 255 },
  { name: 'secret', access: 'W', type: 'string', maxLength: 255 },
  { name: 'created_at', access: 'R', type: 'datetime' },
];

export const WEBHOOK_LIST_PARAMS = { project_id: 'string' } as const;
export const DELIVERY_LIST_PARAMS = { limit: 'int' } as const;
