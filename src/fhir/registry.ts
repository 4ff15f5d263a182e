import type { Request } from 'express';
import type { AuditContext, AuditSubtype } from '../audit/index.js';
import type { ProfessionalContext } from '../kernel/professional.js';
import type { CapabilityContributor, RequestContext } from '../kernel/request.js';
import type { Resource } from '../kernel/types.js';
import type { Logger } from '../logging/logger.js';

/** FHIR RESTful interactions this server can route (http://hl7.org/fhir/http.html). */
export type InteractionKind = 'read' | 'vread' | 'search-type' | 'create' | 'update' | 'delete' | 'operation';

export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

export interface SearchParamSpec {
  name: string;
  type: SearchParamType;
  /** Canonical URL of the SearchParameter definition. */
  definition?: string;
  documentation?: string;
  /** Modifiers the handler understands (e.g. exact, contains); any other is refused with 400 before the handler runs. */
  modifiers?: readonly string[];
}

export interface OperationSpec {
  /** Name without the leading "$". */
  name: string;
  /** Canonical URL of the OperationDefinition. */
  definition: string;
  /** Where the operation is invoked. */
  level: 'system' | 'type' | 'instance';
  /** GET is allowed only for operations that do not change state. */
  methods: ReadonlyArray<'GET' | 'POST'>;
  documentation?: string;
  /**
   * Names of the operation's input parameters accepted in the URL. When
   * given, any other URL parameter (besides _format, _pretty, _summary,
   * _elements) is refused with 400 before the handler runs.
   */
  urlParameters?: readonly string[];
}

/** What a handler receives. */
export interface FhirContext extends RequestContext {
  req: Request;
  resourceType?: string;
  id?: string;
  /** Version id of a vread (GET [type]/[id]/_history/[vid]). */
  versionId?: string;
  /** Query parameters, or form parameters of POST _search; multi-valued. */
  params: URLSearchParams;
  /** Parsed and schema-validated request body, when the interaction takes one. */
  body?: Resource;
  log: Logger;
}

export interface FhirResult {
  status?: number;
  /** A FHIR resource, serialised in the negotiated format. */
  resource?: Resource;
  /** Raw content (e.g. a PDF); served as-is unless the client asks for FHIR, then as a Binary resource. */
  binary?: {
    contentType: string;
    data: Buffer;
    /** The handler's own negotiation: true for a FHIR Binary resource, false for the raw content (default: the router's Accept rule). */
    asResource?: boolean;
  };
  headers?: Record<string, string>;
}

export type FhirHandler = (ctx: FhirContext) => Promise<FhirResult>;

/**
 * An audited interaction's work: `audit` is its record (the handler tells it
 * the patient, the country, the document it served), `professional` whom the
 * request acts for (as the record names them).
 */
export type AuditedHandler = (ctx: FhirContext, audit: AuditContext, professional: ProfessionalContext) => Promise<FhirResult>;

/**
 * Runs an audited interaction: the record of the caller, written with the
 * final HTTP status of the answer, successes, refusals and errors alike.
 */
export interface InteractionAudit {
  run<T>(ctx: RequestContext, subtype: AuditSubtype, work: (audit: AuditContext, professional: ProfessionalContext) => Promise<T>): Promise<T>;
}

interface RegistrationBase {
  /** Null for system-level operations. */
  resourceType: string | null;
  interaction: InteractionKind;
  searchParams?: SearchParamSpec[];
  operation?: OperationSpec;
  /** Profiles the served resources conform to (CapabilityStatement.rest.resource.supportedProfile). */
  supportedProfiles?: string[];
  /** IG-level canonical the interaction implements (CapabilityStatement.instantiates). */
  instantiates?: string[];
  documentation?: string;
  /** Non-FHIR media types the interaction can produce besides FHIR JSON/XML (e.g. application/pdf for Binary). */
  produces?: string[];
  /** Reachable without authentication (metadata and the like). */
  public?: boolean;
}

/**
 * One interaction. An interaction on patient data declares `audit`, the
 * record every call writes: the dispatcher opens it for the professional
 * and writes it with the final HTTP status, successes, refusals and errors alike.
 */
export type HandlerRegistration = RegistrationBase & ({ audit?: undefined; handler: FhirHandler } | { audit: AuditSubtype; handler: AuditedHandler });

/**
 * The single source of truth of what the FHIR endpoint does: routing and the
 * CapabilityStatement are both derived from it.
 */
export class HandlerRegistry {
  private readonly entries: HandlerRegistration[] = [];
  /** Served resource types, asked on every request: computed once per registration. */
  private types: string[] | undefined;
  readonly contributors: CapabilityContributor[] = [];
  private auditor: InteractionAudit | undefined;

  /** The audit trail of the interactions that declare `audit`. */
  auditWith(auditor: InteractionAudit): this {
    this.auditor = auditor;
    return this;
  }

  /** The audit of the audited interactions; a registration declaring `audit` without a trail is a wiring bug. */
  auditorOf(reg: HandlerRegistration): InteractionAudit {
    if (!this.auditor) throw new Error(`${reg.resourceType ?? 'system'} ${reg.interaction} is audited but no audit trail is configured`);
    return this.auditor;
  }

  register(reg: HandlerRegistration): this {
    if (reg.interaction === 'operation' && !reg.operation) throw new Error('operation registration needs an operation spec');
    if (reg.interaction !== 'operation' && reg.resourceType === null) throw new Error(`${reg.interaction} needs a resource type`);
    const clash = this.entries.find((e) => e.resourceType === reg.resourceType && e.interaction === reg.interaction
      && (reg.interaction !== 'operation' || (e.operation?.name === reg.operation?.name && e.operation?.level === reg.operation?.level)));
    if (clash) throw new Error(`${reg.resourceType ?? 'system'} ${reg.interaction} ${reg.operation?.name ?? ''} is registered twice`);
    this.entries.push(reg);
    this.types = undefined;
    return this;
  }

  all(): readonly HandlerRegistration[] {
    return this.entries;
  }

  resourceTypes(): string[] {
    this.types ??= [...new Set(this.entries.map((e) => e.resourceType).filter((t): t is string => t !== null))].sort();
    return this.types;
  }

  find(resourceType: string | null, interaction: InteractionKind): HandlerRegistration | undefined {
    return this.entries.find((e) => e.resourceType === resourceType && e.interaction === interaction);
  }

  findOperation(resourceType: string | null, name: string, level: OperationSpec['level']): HandlerRegistration | undefined {
    return this.entries.find((e) => e.interaction === 'operation' && e.resourceType === resourceType
      && e.operation?.name === name && e.operation.level === level);
  }
}
