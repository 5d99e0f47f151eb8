import { OutboundHttp } from './outbound-http';

/**
 * Asks an unauthenticated version document (`GET /v3` of Keystone, `GET /` of Ironic): whether
 * the service answers, without spending a token validation or a database query on its side.
 */
export async function probeVersionDocument(http: OutboundHttp, url: string, deadline: AbortSignal): Promise<void> {
  const response = await http.fetch(url, { headers: { Accept: 'application/json' } }, deadline);
  await response.body?.cancel();
  // 300: Ironic's and Keystone's unversioned roots list their versions as "multiple choices".
  if (response.status !== 200 && response.status !== 300) {
    throw new Error(`GET ${url} answered ${response.status}`);
  }
}
