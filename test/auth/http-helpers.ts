import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { startServices, type RunningServices } from '../../src/app-services.js';

/** Starts the whole server (FHIR + portal + embedded PSC stand-in) on free ports with a throw-away data dir. */
export async function startTestServices(overrides: Record<string, unknown> = {}): Promise<RunningServices & { dataDir: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'auth-test-'));
  const services = await startServices(loadConfig({}, {
    port: 0, logLevel: 'silent', dataDir, 'auth.devIdp.port': 0, 'simulator.port': 0, ...overrides,
  }));
  return {
    ...services,
    dataDir,
    stop: async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * A minimal browser: a cookie jar (by name and path; cookies are per host,
 * not per port, as in browsers) and manual redirects so each hop is visible.
 */
export class Browser {
  private readonly jar = new Map<string, StoredCookie>();
  /** Every URL visited, in order. */
  readonly visited: string[] = [];

  private store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      const pathAttr = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      const key = `${name};${pathAttr}`;
      if (expired || value === '') this.jar.delete(key);
      else this.jar.set(key, { value, path: pathAttr });
    }
  }

  cookieHeader(url: string): string {
    const p = new URL(url).pathname;
    return [...this.jar.entries()].filter(([, c]) => p.startsWith(c.path)).map(([k, c]) => `${k.split(';')[0]}=${c.value}`).join('; ');
  }

  cookies(): string[] {
    return [...this.jar.keys()].map((k) => k.split(';')[0]);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    this.visited.push(url);
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.store(res);
    return res;
  }

  /**
   * Follows redirects (GET after each, as browsers do after 302/303) until a non-redirect answer or the
   * EHR's callback; `route` may send a hop elsewhere (a load balancer picking another instance).
   */
  async follow(res: Response, from: string, route: (url: string) => string = (u) => u): Promise<{ res: Response; url: string }> {
    let url = from;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 15) throw new Error('too many redirects');
      url = route(new URL(res.headers.get('location')!, url).href);
      if (url.startsWith('http://127.0.0.1/callback')) return { res, url };
      res = await this.request(url);
    }
    return { res, url };
  }
}

/** The action and hidden inputs of the first form of a page. */
export function formOf(html: string, baseUrl: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('no form in the page');
  const fields: Record<string, string> = {};
  for (const m of form[2].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) fields[m[1]] = m[2];
  return { action: new URL(form[1].replace(/&amp;/g, '&'), baseUrl).href, fields };
}

/**
 * Logs into the portal as a test professional, through the real flow:
 * portal → PSC authorization → login page → pick the card → callback → portal.
 */
export async function portalLogin(browser: Browser, baseUrl: string, nationalId: string, route?: (url: string) => string): Promise<{ res: Response; url: string; html: string }> {
  const start = `${baseUrl}/portal/login?cgu=on`;
  const toLoginPage = await browser.follow(await browser.request(start), start);
  expect(toLoginPage.res.status).toBe(200);
  const page = await toLoginPage.res.text();
  expect(page).toContain(`value="${nationalId}"`);
  const { action } = formOf(page, toLoginPage.url);
  const back = await browser.follow(await browser.request(action, { form: { nationalId } }), action, route);
  return { ...back, html: await back.res.text() };
}
