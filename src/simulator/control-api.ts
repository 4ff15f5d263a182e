/**
 * The simulator's control API, for tests and manual use:
 *   POST   /_control/faults    queue a fault (JSON object or array, see FaultSpec)
 *   GET    /_control/faults    queued faults with their remaining uses
 *   DELETE /_control/faults    clear them
 *   GET    /_control/requests  log of received requests (time, country, action, transaction, fault, status, code)
 *   DELETE /_control/requests  clear the log
 */
import type http from 'node:http';
import { FaultSpecError, parseFaultSpec, type FaultController } from './faults.js';
import { BodyTooLargeError, readBody, sendJson } from './http-io.js';

const MAX_CONTROL_BYTES = 64 * 1024;

function methodNotAllowed(res: http.ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendJson(res, 405, { error: 'method not allowed' });
}

async function queueFaults(req: http.IncomingMessage, res: http.ServerResponse, faults: FaultController, knownCountries: readonly string[]): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req, MAX_CONTROL_BYTES)).toString('utf8'));
  } catch (e) {
    return sendJson(res, 400, { error: e instanceof BodyTooLargeError ? e.message : 'the body must be JSON: a fault object or an array of them' });
  }
  try {
    // Every fault is checked before any is queued: a bad batch queues nothing.
    const specs = (Array.isArray(input) ? input : [input]).map((f) => parseFaultSpec(f, knownCountries));
    sendJson(res, 201, { queued: specs.map((s) => faults.add(s)) });
  } catch (e) {
    if (e instanceof FaultSpecError) return sendJson(res, 400, { error: e.message });
    throw e;
  }
}

export async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, resource: string, faults: FaultController, knownCountries: readonly string[]): Promise<void> {
  if (resource === 'faults') {
    if (req.method === 'GET') return sendJson(res, 200, { pending: faults.pending() });
    if (req.method === 'POST') return queueFaults(req, res, faults, knownCountries);
    if (req.method === 'DELETE') {
      faults.clear();
      res.writeHead(204).end();
      return;
    }
    return methodNotAllowed(res, 'GET, POST, DELETE');
  }
  if (resource === 'requests') {
    if (req.method === 'GET') return sendJson(res, 200, { requests: faults.requests() });
    if (req.method === 'DELETE') {
      faults.clearRequests();
      res.writeHead(204).end();
      return;
    }
    return methodNotAllowed(res, 'GET, DELETE');
  }
  return sendJson(res, 404, { error: `unknown control resource ${resource}` });
}
