/**
 * The logged-in professional's own resources (Practitioner, PractitionerRole):
 * each professional reads and finds only themselves.
 */
import { requireProfessional, type AuthenticatedProfessional } from '../../auth/professional.js';
import { FhirError } from '../../kernel/errors.js';
import type { FhirContext, HandlerRegistry, SearchParamSpec } from '../registry.js';
import { searchPage } from '../paging.js';
import { pagedSearchset } from '../searchset.js';

/** 403 for anything about another professional: each one only sees themselves. */
export function notYours(what: string): FhirError {
  return FhirError.forbidden(`${what}: a professional may only read their own Practitioner and PractitionerRole`);
}

export interface OwnResource {
  resourceType: 'Practitioner' | 'PractitionerRole';
  idOf: (me: AuthenticatedProfessional) => string;
  resourceOf: (me: AuthenticatedProfessional) => fhir4.Practitioner | fhir4.PractitionerRole;
  read: string;
  search: string;
  searchParams: SearchParamSpec[];
  /** Throws notYours when a search parameter names someone else. */
  checkSearch: (ctx: FhirContext, me: AuthenticatedProfessional, resource: fhir4.Practitioner | fhir4.PractitionerRole) => void;
}

/** GET {type}/{id} and GET {type}?…: the professional's own resource; 403 for anyone else's. */
export function registerOwnResource(registry: HandlerRegistry, own: OwnResource): void {
  const type = own.resourceType;
  registry.register({
    resourceType: type,
    interaction: 'read',
    documentation: own.read,
    handler: async (ctx) => {
      const me = requireProfessional(ctx);
      if (ctx.id !== own.idOf(me)) throw notYours(`${type}/${ctx.id}`);
      return { resource: own.resourceOf(me) };
    },
  });
  registry.register({
    resourceType: type,
    interaction: 'search-type',
    documentation: own.search,
    searchParams: own.searchParams,
    handler: async (ctx) => {
      const me = requireProfessional(ctx);
      const page = searchPage(ctx, type, me.context.nationalId);
      const resource = own.resourceOf(me);
      own.checkSearch({ ...ctx, params: page.params }, me, resource);
      return { resource: pagedSearchset(page, [{ resource }], new Date()) };
    },
  });
}
