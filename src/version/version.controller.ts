import { All, Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiJsonResponse } from '../ops/openapi/api-docs.decorators';
import { ROOT_DOCUMENT_SCHEMA, V1_DOCUMENT_SCHEMA } from '../ops/openapi/api-schemas';
import { Request, Response } from 'express';
import { sendJson } from '../common/http/json-response';
import { Public } from '../policy/policy.decorator';

const DESCRIPTION =
  'ESI Leap is an OpenStack service for leasing baremetal nodes, designed to run on top of multi-tenant Ironic.';

function version(hostUrl: string) {
  return {
    id: 'v1',
    links: [{ href: `${hostUrl}/v1`, rel: 'self' }],
    status: 'CURRENT',
    min_version: '1.0',
    version: '1.0',
  };
}

/** The version documents (`/` and `/v1/`), which keystoneauth discovery parses. */
@ApiTags('versions')
@Public()
@Controller()
export class VersionController {
  /** Served for any method, before authentication; a missing Host falls back to localhost (upstream answered 500). */
  @All()
  @ApiOperation({ summary: 'Root version document (public)' })
  @ApiJsonResponse(200, 'The versions document keystoneauth discovery reads', ROOT_DOCUMENT_SCHEMA)
  root(@Req() req: Request) {
    const hostUrl = `${req.protocol}://${req.headers.host ?? 'localhost'}`;
    return {
      name: 'ESI Leap API',
      description: DESCRIPTION,
      default_version: version(hostUrl),
      versions: [version(hostUrl)],
    };
  }

  /** `/v1` redirects to `/v1/`, which answers 300 with its own (different) document. */
  @Get('v1')
  @ApiOperation({ summary: '`/v1` redirects to `/v1/`, which lists the v1 API version (300 Multiple Choices)' })
  @ApiJsonResponse(300, 'The v1 versions document (at `/v1/`)', V1_DOCUMENT_SCHEMA)
  @ApiResponse({ status: 302, description: 'Redirect from `/v1` to `/v1/`' })
  v1(@Req() req: Request, @Res() res: Response): void {
    const hostUrl = `${req.protocol}://${req.hostname}${portSuffix(req)}`;
    if (!req.path.endsWith('/')) {
      res.redirect(302, `${hostUrl}/v1/`);
      return;
    }
    sendJson(res, 300, {
      versions: [{ id: 'v1.0', status: 'CURRENT', links: [{ href: `${hostUrl}/v1`, rel: 'self' }] }],
    });
  }
}

/** pecan's host_url omits default ports. */
function portSuffix(req: Request): string {
  const host = req.headers.host ?? '';
  const match = /:(\d+)$/.exec(host);
  if (!match) return '';
  const port = match[1];
  return (req.protocol === 'http' && port === '80') || (req.protocol === 'https' && port === '443') ? '' : `:${port}`;
}
