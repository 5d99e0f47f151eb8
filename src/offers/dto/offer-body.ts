import { AttributeSpec } from '../../common/http/request-body';

/** The offer attributes in upstream order with their input access (api.md 3.2.0). */
export const OFFER_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'name', access: 'W', type: 'string' },
  { name: 'uuid', access: 'R', type: 'string' },
  { name: 'project_id', access: 'R', type: 'string' },
  { name: 'project', access: 'R', type: 'string' },
  { name: 'lessee_id', access: 'W', type: 'string' },
  { name: 'lessee', access: 'R', type: 'string' },
  { name: 'resource_type', access: 'W', type: 'string' },
  { name: 'resource_uuid', access: 'W', type: 'string', mandatory: true },
  { name: 'resource', access: 'R', type: 'string' },
  { name: 'resource_class', access: 'I', type: 'string' },
  { name: 'resource_properties', access: 'I', type: 'object' },
  { name: 'start_time', access: 'W', type: 'datetime' },
  { name: 'end_time', access: 'W', type: 'datetime' },
  { name: 'status', access: 'R', type: 'string' },
  { name: 'properties', access: 'W', type: 'object' },
  { name: 'availabilities', access: 'R', type: 'string' },
  { name: 'parent_lease_uuid', access: 'R', type: 'string' },
];

export const OFFER_LIST_PARAMS = {
  project_id: 'string',
  resource_type: 'string',
  resource_uuid: 'string',
  resource_class: 'string',
  start_time: 'datetime',
  end_time: 'datetime',
  available_start_time: 'datetime',
  available_end_time: 'datetime',
  status: 'string',
} as const;
