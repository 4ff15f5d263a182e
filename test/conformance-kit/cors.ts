/** A browser page on another origin can call the API: preflight answered, the headers it needs exposed. */
import { describe, type KitHttp } from './http.js';
import { expect, type Report } from './report.js';

const ORIGIN = 'http://conformance-kit.invalid';

export async function checkCors(http: KitHttp, report: Report): Promise<void> {
  await report.check('CORS', 'a preflight from another origin is answered; a GET exposes ETag, Location, X-Request-Id', async () => {
    const pre = await http.call('Patient', {
      method: 'OPTIONS', anonymous: true,
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(pre.status === 200 || pre.status === 204, `preflight: ${describe(pre)}`);
    const allowed = pre.headers.get('access-control-allow-origin');
    expect(allowed === '*' || allowed === ORIGIN, `Access-Control-Allow-Origin: ${allowed} (the deployment may restrict origins: then this check is expected to fail for ${ORIGIN})`);
    expect(/authorization/i.test(pre.headers.get('access-control-allow-headers') ?? ''), 'Authorization is not an allowed header');
    const get = await http.call('metadata', { headers: { Origin: ORIGIN } });
    const exposed = (get.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(['etag', 'location', 'x-request-id'].every((h) => exposed.includes(h)), `exposed: ${exposed || 'none'}`);
  });
}
