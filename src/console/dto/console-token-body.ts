import { ClientError } from '../../common/errors/esi-leap.exceptions';
import { isJsonObject, JsonNumber } from '../../common/http/lossless-json';
import { missingArgument } from '../../common/http/request-body';
import { pyClass, pyRepr, pyStr, pyTypeName } from '../../common/http/python-repr';
import { characterCount, shownValue, STORED_WIDTHS } from '../../common/http/stored-widths';

export const NEW_CONSOLE_TOKEN_ARGNAME = 'new_console_auth_token';

export interface NewConsoleTokenInput {
  readonly nodeUuidOrName: string;
  /** Raw `token_ttl` as sent: Python `int()` semantics are applied by the service. */
  readonly tokenTtl: unknown;
}

/**
 * The free-form body of `POST /v1/console_auth_tokens`: unknown keys are ignored,
 * `node_uuid_or_name` is required (400 instead of upstream's 500 KeyError) and no longer than the
 * column the node's id is stored in.
 */
export function parseNewConsoleToken(body: unknown): NewConsoleTokenInput {
  if (body === undefined) throw missingArgument(NEW_CONSOLE_TOKEN_ARGNAME);
  if (!isJsonObject(body)) {
    throw new ClientError(
      `Invalid input for field/attribute ${NEW_CONSOLE_TOKEN_ARGNAME}. Value: '${pyRepr(body)}'. Value not a valid dict: ${pyTypeName(body)}`,
    );
  }
  const { node_uuid_or_name: ident, token_ttl: tokenTtl } = body as Record<string, unknown>;
  if (ident === undefined || ident === null) throw missingArgument('node_uuid_or_name');
  if (typeof ident !== 'string') {
    throw new ClientError(
      `Invalid input for field/attribute node_uuid_or_name. Value: '${pyStr(ident)}'. Wrong type. Expected '<class 'str'>', got '${pyClass(ident)}'`,
    );
  }
  const maxLength = STORED_WIDTHS.consoleNode;
  if (characterCount(ident) > maxLength) {
    throw new ClientError(
      `Invalid input for field/attribute node_uuid_or_name. Value: '${shownValue(ident)}'. Value should have a maximum character requirement of ${maxLength}`,
    );
  }
  // Python's int() takes a float or a big integer alike; its range is checked with the TTL.
  return { nodeUuidOrName: ident, tokenTtl: tokenTtl instanceof JsonNumber ? tokenTtl.valueOf() : tokenTtl };
}
