import { PAGING_PARAMS } from '../../common/http/list-paging';
import { AttributeSpec } from '../../common/http/request-body';
import { STORED_WIDTHS as W } from '../../common/http/stored-widths';

/**
 * The offer attributes in upstream order with their input access, and the width of the column
 * each writable one is stored in. `resource_uuid` may be an Ironic node name, which resolves to
 * a UUID; the driver checks the id it resolves to.
 */
export const OFFER_ATTRIBUTES = [
  { name: 'name', access: 'W', type: 'string', maxLength: W.name },
  { name: 'uuid', access: 'R', type: 'string' },
  { name: 'project_id', access: 'R', type: 'string' },
  { name: 'project', access: 'R', type: 'string' },
  { name: 'lessee_id', access: 'W', type: 'string', maxLength: W.projectId },
  { name: 'lessee', access: 'R', type: 'string' },
  { name: 'resource_type', access: 'W', type: 'string' },
  { name: 'resource_uuid', access: 'W', type: 'string', mandatory: true, maxLength: W.resourceIdent },
  { name: 'resource', access: 'R', type: 'string' },
  { name: 'resource_class', access: 'I', type: 'string' },
  { name: 'resource_properties', access: 'I', type: 'object' },
  { name: 'start_time', access: 'W', type: 'datetime' },
  { name: 'end_time', access: 'W', type: 'datetime' },
  { name: 'status', access: 'R', type: 'string' },
  { name: 'properties', access: 'W', type: 'object', maxLength: W.propertiesBytes },
  { name: 'availabilities', access: 'R', type: 'string' },
  { name: 'parent_lease_uuid', access: 'R', type: 'string' },
] as const satisfies readonly AttributeSpec[];

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
  constraint: 'strings',
  ...PAGING_PARAMS,
} as const;
