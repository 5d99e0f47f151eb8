import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { PathItemObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The scheme Swagger UI's "Authorize" fills: a Keystone token in `X-Auth-Token`, as keystonemiddleware reads it. */
const KEYSTONE_SCHEME = 'keystone';
/** Operations that take no token (like `/` upstream: discovery, probes, scrapers). */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/', '/v1', '/healthcheck', '/metrics']);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document (`/docs-json`) and Swagger UI (`/docs`). Every operation requires the
 * Keystone token, so "Try it out" sends the one given to "Authorize", except the public ones.
 */
export function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ESI Leap API')
      .setDescription('Bare-metal leasing for OpenStack clouds: offers, leases, nodes, events (API v1).')
      .setVersion('1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Auth-Token' }, KEYSTONE_SCHEME)
      .addSecurityRequirements(KEYSTONE_SCHEME)
      .build(),
  );
  markPublicOperations(document);
  documentAnyMethodOnce(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

function markPublicOperations(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!PUBLIC_PATHS.has(path)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) operation.security = [];
    }
  }
}

/**
 * A route served for any method (`@All()`, the root document) would be listed once per method,
 * the same operation seven times: keep it once, as GET, saying it answers any method.
 */
function documentAnyMethodOnce(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths) as Array<Record<string, unknown> & PathItemObject>) {
    // Operations are the entries with responses (Nest also writes non-standard ones, e.g. `search`).
    const methods = Object.keys(item).filter((key) => (item[key] as { responses?: unknown } | null)?.responses);
    if (methods.length < 5 || item.get === undefined) continue;
    for (const method of methods) if (method !== 'get') delete item[method];
    item.get.description = [item.get.description, 'Answered alike for any HTTP method.'].filter(Boolean).join(' ');
  }
}
