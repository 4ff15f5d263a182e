/** The kit's HTTP client: every call with the bearer token (unless told not to), bounded in time, parsed when JSON. */

export interface Answer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json?: Record<string, unknown> & { resourceType?: string };
  bytes: Buffer;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Send no Authorization header. */
  anonymous?: boolean;
}

const TIMEOUT_MS = 60_000;

export class KitHttp {
  /** Calls made, for the report's count. */
  calls = 0;

  constructor(readonly base: string, private readonly token: string) {}

  /** An absolute URL for a path under the FHIR base, or the URL itself. */
  url(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.base}/${pathOrUrl.replace(/^\/+/, '')}`;
  }

  async call(pathOrUrl: string, opts: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/fhir+json', ...(opts.anonymous ? {} : { Authorization: `Bearer ${this.token}` }), ...opts.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/fhir+json';
    }
    this.calls++;
    const res = await fetch(this.url(pathOrUrl), { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
    const bytes = Buffer.from(await res.arrayBuffer());
    let json: Answer['json'];
    if (/json/.test(res.headers.get('content-type') ?? '') && bytes.length) {
      try {
        json = JSON.parse(bytes.toString('utf8')) as Answer['json'];
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json, bytes };
  }
}

/** What an answer was, in one line for a failure message. */
export function describe(answer: Answer): string {
  const issue = (answer.json?.issue as { diagnostics?: string }[] | undefined)?.[0]?.diagnostics;
  return `HTTP ${answer.status}${answer.json?.resourceType ? ` ${answer.json.resourceType}` : ''}${issue ? `: ${issue.slice(0, 160)}` : ''}`;
}
