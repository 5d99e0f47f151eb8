import { PAGING_PARAMS } from '../../common/http/list-paging';
import { STORED_WIDTHS as W } from '../../common/http/stored-widths';

/** The most leases one group may book: a bound on one transaction's locks and inserts. */
export const LARGEST_GROUP = 100;

/** `POST /v1/lease_groups`; the read-only attributes are those the group is shown with. */
export const LEASE_GROUP_ATTRIBUTES = [
  { name: 'uuid', access: 'R', type: 'string' },
  { name: 'name', access: 'W', type: 'string', maxLength: W.name },
  { name: 'project_id', access: 'R', type: 'string' },
  { name: 'count', access: 'W', type: 'integer' },
  { name: 'min_count', access: 'W', type: 'integer' },
  { name: 'max_count', access: 'W', type: 'integer' },
  { name: 'from', access: 'W', type: 'string' },
  { name: 'resource_class', access: 'W', type: 'string', maxLength: 255 },
  { name: 'constraints', access: 'W', type: 'string_list', maxLength: 255 },
  { name: 'start_time', access: 'W', type: 'datetime' },
  { name: 'end_time', access: 'W', type: 'datetime' },
  { name: 'purpose', access: 'W', type: 'string', maxLength: W.purpose },
  { name: 'properties', access: 'W', type: 'object', maxLength: W.propertiesBytes },
  { name: 'dry_run', access: 'W', type: 'boolean' },
  { name: 'status', access: 'R', type: 'string' },
  { name: 'leases', access: 'R', type: 'string' },
] as const;

/** `view=all` (every project's groups, lease admins only) and an exact `status`. */
export const LEASE_GROUP_LIST_PARAMS = { view: 'string', status: 'string', ...PAGING_PARAMS } as const;
