import { ClientError, LeaseInvalidPatch } from '../../common/errors/esi-leap.exceptions';
import { pyRepr, pyTypeName } from '../../common/http/python-repr';
import { parseStrictPatchTime, UtcTime } from '../../common/time';

const PATCH_FORMAT = '%Y-%m-%dT%H:%M:%S';

/**
 * The PATCH body: an object whose only key is `end_time`, in exactly `%Y-%m-%dT%H:%M:%S`.
 * Used by lease and lease group PATCH alike. Every rejection is a client error (docs/decisions.md, "Statuses and errors").
 */
export function parseEndTimePatch(patch: unknown): UtcTime {
  if (patch === undefined || patch === null) throw new LeaseInvalidPatch();
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    throw new ClientError(
      `Invalid input for field/attribute patch. Value: '${pyRepr(patch)}'. Value not a valid dict: ${pyRepr(patch)}`,
    );
  }
  const keys = Object.keys(patch);
  if (keys.length !== 1 || keys[0] !== 'end_time') throw new LeaseInvalidPatch();
  const raw = (patch as { end_time: unknown }).end_time;
  if (typeof raw !== 'string') {
    throw new ClientError(`strptime() argument 1 must be str, not ${pyTypeName(raw)}`);
  }
  const parsed = parseStrictPatchTime(raw);
  if (parsed === null) throw new ClientError(`time data '${raw}' does not match format '${PATCH_FORMAT}'`);
  return parsed;
}
