import { forwardedClientHeaders } from '../../util/source-address.js';

/**
 * The portal's only path to patient data: this server's own FHIR API, called
 * over loopback with the professional's Pro Santé Connect access token, exactly
 * as an EHR would (same authorisation, consent checks, audit and rate limits;
 * the browser's address is passed on for those).
 */
export class PortalApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
    this.name = 'PortalApiError';
  }
}

export interface PortalApi {
  /** A FHIR resource (JSON), or PortalApiError with the OperationOutcome's French text. */
  read<T = fhir4.FhirResource>(path: string): Promise<T>;
  /** Creates a resource; its Location. */
  create(path: string, resource: fhir4.FhirResource): Promise<string | undefined>;
  /** A Binary's bytes as the given media type. */
  binary(path: string, accept: string): Promise<{ contentType: string; body: Buffer }>;
}

/** Long enough for a country's slow answer (the gateway's own timeouts answer 504 before this). */
const CALL_TIMEOUT_MS = 90_000;

const STATUS_TEXT: Record<number, string> = {
  400: 'La demande a été refusée car elle est incomplète ou mal formée.',
  401: 'Votre session a expiré : reconnectez-vous avec Pro Santé Connect.',
  403: 'Accès refusé.',
  404: 'Information introuvable.',
  429: 'Trop de demandes en peu de temps : réessayez dans un instant.',
  502: 'Le pays interrogé a renvoyé une erreur.',
  504: 'Le pays interrogé n’a pas répondu à temps.',
};

/** The French message of an OperationOutcome (its first issue's details.text, else its diagnostics). */
function outcomeMessage(status: number, body: unknown): { message: string; code?: string } {
  const issue = (body as fhir4.OperationOutcome | undefined)?.resourceType === 'OperationOutcome'
    ? (body as fhir4.OperationOutcome).issue?.[0]
    : undefined;
  const text = issue?.details?.text ?? issue?.diagnostics;
  const code = issue?.details?.coding?.[0]?.code;
  return { message: text ?? STATUS_TEXT[status] ?? `Le service a répondu par une erreur (HTTP ${status}).`, ...(code ? { code } : {}) };
}

export function portalApi(base: string, accessToken: string, clientAddress: string): PortalApi {
  const headers = (accept: string): Record<string, string> => ({
    Authorization: `Bearer ${accessToken}`,
    Accept: accept,
    ...forwardedClientHeaders(clientAddress),
  });
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${base}/${path}`, { ...init, redirect: 'error', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } catch {
      throw new PortalApiError(503, 'Le service est momentanément indisponible : réessayez dans un instant.');
    }
    if (res.ok) return res;
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    const { message, code } = outcomeMessage(res.status, body);
    throw new PortalApiError(res.status, message, code);
  };
  return {
    read: async <T>(path: string) => (await (await call(path, { headers: headers('application/fhir+json') })).json()) as T,
    create: async (path, resource) => {
      const res = await call(path, {
        method: 'POST',
        headers: { ...headers('application/fhir+json'), 'Content-Type': 'application/fhir+json' },
        body: JSON.stringify(resource),
      });
      await res.arrayBuffer();
      return res.headers.get('location') ?? undefined;
    },
    binary: async (path, accept) => {
      const res = await call(path, { headers: headers(accept) });
      return { contentType: res.headers.get('content-type') ?? accept, body: Buffer.from(await res.arrayBuffer()) };
    },
  };
}
