import { PAGING_PARAMS } from '../../common/http/list-paging';
import { AttributeAccess, AttributeType } from '../../common/http/request-body';
import { STORED_WIDTHS as W } from '../../common/http/stored-widths';

type Writable = 'W' | 'I';

/** Upstream's lease attributes in order; writable ones carry the width of their column. */
function leaseAttributes<T extends Writable, M extends boolean>(target: T, mandatory: M) {
  const attr = <
    N extends string,
    A extends AttributeAccess,
    Y extends AttributeType = 'string',
    R extends boolean = false,
  >(
    name: N,
    access: A,
    type: Y = 'string' as Y,
    required: R = false as R,
    maxLength?: number,
  ) => ({ name, access, type, mandatory: required, maxLength });
  return [
    attr('name', 'W', 'string', false, W.name),
    attr('uuid', 'R'),
    attr('project_id', target, 'string', mandatory, W.projectId),
    attr('project', 'R'),
    attr('owner_id', 'R'),
    attr('owner', 'R'),
    attr('resource_type', target),
    attr('resource_uuid', target, 'string', mandatory, W.resourceIdent),
    attr('resource_class', 'I'),
    attr('resource_properties', 'I', 'object'),
    attr('resource', 'R'),
    attr('start_time', 'W', 'datetime'),
    attr('fulfill_time', 'R', 'datetime'),
    attr('expire_time', 'R', 'datetime'),
    attr('end_time', 'W', 'datetime'),
    attr('status', 'R'),
    attr('properties', 'W', 'object', false, W.propertiesBytes),
    attr('purpose', 'W', 'string', false, W.purpose),
    attr('offer_uuid', 'R'),
    attr('parent_lease_uuid', 'R'),
  ] as const;
}

/**
 * `POST /v1/leases`: `project_id` and `resource_uuid` are required
 * (upstream's 500s become the recommended 400s).
 */
export const LEASE_ATTRIBUTES = leaseAttributes('W', true);

/** A claim body is a lease whose project and resource come from the caller and the offer. */
export const CLAIM_ATTRIBUTES = leaseAttributes('I', false);

export const LEASE_LIST_PARAMS = {
  project_id: 'string',
  start_time: 'datetime',
  end_time: 'datetime',
  status: 'string',
  offer_uuid: 'string',
  view: 'string',
  owner_id: 'string',
  resource_type: 'string',
  resource_uuid: 'string',
  resource_class: 'string',
  purpose: 'string',
  constraint: 'strings',
  ...PAGING_PARAMS,
} as const;
