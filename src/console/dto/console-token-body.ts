import { ClientError } from '../../common/errors/esi-leap.exceptions';
import { missingArgument } from '../../common/http/request-body';
import { pyClass, pyRepr, pyStr, pyTypeName } from '../../common/http/python-repr';

export const NEW_CONSOLE_TOKEN_ARGNAME = 'new_console_auth_token';

export interface NewConsoleTokenInput {
  readonly nodeUuidOrName: string;
  /** Raw `token_ttl` as sent: Python `int()` semantics are applied by the service. */
  readonly tokenTtl: unknown;
}

/**
 * The free-form body of `POST /v1/console_auth_tokens` (api.md 3.6): unknown keys are ignored,
 * `node_uuid_or_name` is required (400 instead of upstream's 500 KeyError).
 */
export function parseNewConsoleToken(body: unknown): NewConsoleTokenInput {
  if (body === undefined) throw missingArgument(NEW_CONSOLE_TOKEN_ARGNAME);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
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
  return { nodeUuidOrName: ident, tokenTtl };
}
