/** ITI-55 end to end: build, send with the HCP assertion only, parse. */
import { EhdsiError } from '../errors/ehdsi-error.js';
import { ehdsiCodeClass, timedGatewayCall } from '../soap/call-metrics.js';
import { ACTIONS } from '../soap/namespaces.js';
import { GatewayError } from '../soap/gateway-error.js';
import type { SoapClient } from '../soap/client.js';
import type { GatewayTarget } from '../soap/target.js';
import { buildXcpdRequest, type Demographics, type TraitValue } from './request.js';
import { parseXcpdResponse, XcpdResponseError, type XcpdOutcome } from './response.js';

export interface DiscoverOptions {
  /** France's own home community OID (sender device). */
  senderHomeCommunityId: string;
}

export async function discoverPatients(
  client: SoapClient,
  target: GatewayTarget,
  traits: readonly TraitValue[],
  demographics: Demographics | undefined,
  hcpAssertionXml: string,
  opts: DiscoverOptions,
): Promise<XcpdOutcome> {
  const bodyXml = buildXcpdRequest({
    country: target.country,
    senderHomeCommunityId: opts.senderHomeCommunityId,
    receiverHomeCommunityId: target.homeCommunityId,
    traits,
    demographics,
  });
  // Timed with its outcome (metrics): an error outcome counts as the class of the code the journey will answer with.
  return timedGatewayCall(target.country, 'ITI-55', async () => {
    const response = await client.call({ country: target.country, endpoint: target.endpoint, action: ACTIONS.xcpdRequest, bodyXml, assertions: [hcpAssertionXml], timeoutMs: target.timeoutMs });
    try {
      return parseXcpdResponse(response.body);
    } catch (e) {
      if (e instanceof XcpdResponseError) throw new GatewayError({ country: target.country, kind: 'malformed', message: `unreadable XCPD response: ${e.message}` });
      throw e;
    }
  }, (outcome) => (outcome.kind === 'error' ? ehdsiCodeClass(xcpdOutcomeError(outcome, target.country).code) : 'success'));
}

const GENERIC_ISSUES = new Set(['AnswerNotAvailable', 'InternalError']);

/** The single eHDSI error that best explains an XCPD error outcome (specific eHDSI codes first). */
export function xcpdOutcomeError(outcome: Extract<XcpdOutcome, { kind: 'error' }>, country: string): EhdsiError {
  const specific = outcome.issues.find((i) => i.code && !GENERIC_ISSUES.has(i.code));
  const detail = outcome.ackDetails.find((d) => d.code);
  const code = specific?.code ?? detail?.code ?? outcome.issues.find((i) => i.code)?.code ?? 'ERROR_PI_GENERIC';
  return new EhdsiError(country, 'xcpd', code, specific?.text ?? detail?.text);
}
