import type { Request, RequestHandler, Response } from 'express';
import type { AuthenticatedProfessional } from '../../auth/professional.js';
import type { Logger } from '../../logging/logger.js';
import { sourceAddressOf } from '../../util/source-address.js';
import { portalApi, PortalApiError, type PortalApi } from './api-client.js';
import type { Banner } from './layout.js';
import { accueilPage, errorPage, refusedPage, sendPage } from './pages.js';
import { bannerOf, type PortalSession, type PortalSessions } from './session.js';

export interface JourneyDeps {
  sessions: PortalSessions;
  /** This server's FHIR base over loopback (http://127.0.0.1:<port>/fhir). */
  apiBase: string;
  logger: Logger;
}

/** What a page of the journey works with: the eligible professional's session and the FHIR API on their behalf. */
export interface JourneyContext {
  session: PortalSession;
  professional: AuthenticatedProfessional;
  banner: Banner;
  api: PortalApi;
}

export type JourneyHandler = (req: Request, res: Response, ctx: JourneyContext) => Promise<void>;

/** An id the API gave us (discovered patient): letters, digits, dot, dash. */
export const PATIENT_ID = /^[A-Za-z0-9.-]{1,64}$/;

/**
 * A page of the journey: only for a logged-in, eligible professional (others
 * go back to Accueil or see why they are refused); an API error the page did
 * not handle becomes a French error page with the API's status, an expired
 * token the end of the session.
 */
export function journeyRoute(deps: JourneyDeps, handler: JourneyHandler): RequestHandler {
  return async (req, res) => {
    const session = await deps.sessions.active(req);
    if (!session) {
      if (await deps.sessions.expired(req)) {
        deps.sessions.forget(res);
        return sendPage(res, 401, accueilPage({ notice: 'Votre session a expiré : reconnectez-vous pour continuer.' }));
      }
      return res.redirect(303, '/portal');
    }
    if (!session.outcome.allowed) {
      return sendPage(res, 403, refusedPage(session.outcome.displayName, session.outcome.refusals, session));
    }
    const professional = session.outcome.professional;
    // Eligible (checked above): the header is there.
    const banner = bannerOf(session)!;
    const api = portalApi(deps.apiBase, session.accessToken, sourceAddressOf(req));
    try {
      await handler(req, res, { session, professional, banner, api });
    } catch (err) {
      if (err instanceof PortalApiError) {
        if (err.status === 401) {
          await deps.sessions.close(req, res);
          return sendPage(res, 401, accueilPage({ notice: 'Votre session a expiré : reconnectez-vous pour continuer.' }));
        }
        return sendPage(res, err.status, errorPage(err.message, banner));
      }
      // The name only: a message may quote patient data.
      deps.logger.error({ err: (err as Error).name }, 'portal page failed');
      sendPage(res, 500, errorPage('Une erreur interne est survenue ; l\'équipe technique a été prévenue.', banner));
    }
  };
}
