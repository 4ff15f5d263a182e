/** The outcome label of a gateway call: the kind of a failed exchange, the class of a country's eHDSI code. */
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import { ehdsiCodeClass, gatewayOutcomeOf, timedGatewayCall } from '../../src/ehdsi/soap/call-metrics.js';
import { GatewayError } from '../../src/ehdsi/soap/gateway-error.js';
import { EHDSI_ERRORS } from '../../src/ehdsi/errors/ehdsi-errors.js';
import { renderMetrics } from '../../src/util/metrics.js';
import { parseSamples, valueOf } from './prometheus-text.js';

test('eHDSI codes fall into a few classes, whatever a country sends', () => {
  expect(ehdsiCodeClass('1001')).toBe('ehdsi-1xxx');
  expect(ehdsiCodeClass('4701')).toBe('ehdsi-4xxx');
  expect(ehdsiCodeClass('XDSMissingDocument')).toBe('ehdsi-xds');
  expect(ehdsiCodeClass('ERROR_PI_NO_MATCH')).toBe('ehdsi-pi');
  expect(ehdsiCodeClass('InsufficientRights')).toBe('ehdsi-pi');
  expect(ehdsiCodeClass('Jane Doe 1985-03-19')).toBe('ehdsi-other');
  expect(ehdsiCodeClass('99999')).toBe('ehdsi-other');
  // Every code of the table has a class of its own (none falls to "other").
  expect(EHDSI_ERRORS.filter((r) => ehdsiCodeClass(r.code) === 'ehdsi-other').map((r) => r.code)).toEqual([]);
});

test('a failure is told by its kind or its code class; anything else is "error"', () => {
  for (const kind of ['timeout', 'connection', 'http', 'fault', 'malformed'] as const) {
    expect(gatewayOutcomeOf(new GatewayError({ country: 'PT', kind, message: 'x' }))).toBe(kind);
  }
  expect(gatewayOutcomeOf(new EhdsiError('PT', 'xca-query', '4701'))).toBe('ehdsi-4xxx');
  expect(gatewayOutcomeOf(new TypeError('a bug'))).toBe('error');
});

test('a timed call is counted with its country, transaction and outcome, and passes its result or error on', async () => {
  await expect(timedGatewayCall('PT', 'ITI-39', async () => 42)).resolves.toBe(42);
  const refusal = new EhdsiError('PT', 'xca-retrieve', 'XDSMissingDocument');
  await expect(timedGatewayCall('PT', 'ITI-39', async () => { throw refusal; })).rejects.toBe(refusal);
  // A country code that is not one is never a label.
  await timedGatewayCall('157601853', 'ITI-55', async () => 'x');
  const samples = parseSamples((await renderMetrics()).text);
  expect(valueOf(samples, 'ehdsi_facade_ehdsi_gateway_calls_total', { country: 'PT', transaction: 'ITI-39', outcome: 'success' })).toBe(1);
  expect(valueOf(samples, 'ehdsi_facade_ehdsi_gateway_calls_total', { country: 'PT', transaction: 'ITI-39', outcome: 'ehdsi-xds' })).toBe(1);
  expect(valueOf(samples, 'ehdsi_facade_ehdsi_gateway_calls_total', { country: 'other', transaction: 'ITI-55', outcome: 'success' })).toBe(1);
  expect((await renderMetrics()).text).not.toContain('157601853');
});
