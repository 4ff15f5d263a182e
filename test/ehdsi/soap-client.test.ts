// Under test/ rather than beside src/ehdsi: these tests use the loopback stub gateway of test/helpers, and src never imports test/.
import { startStubGateway, type StubGateway } from '../helpers/stub-gateway.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SoapClient } from '../../src/ehdsi/soap/client.js';
import { buildEnvelope, buildFaultEnvelope, parseSoapEnvelope } from '../../src/ehdsi/soap/envelope.js';
import { GatewayError } from '../../src/ehdsi/soap/gateway-error.js';
import { buildMtom } from '../../src/ehdsi/soap/mtom.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

let handler: Handler;
let stub: StubGateway;
let endpoint: string;
const client = new SoapClient({ timeoutMs: 2000 });

beforeAll(async () => {
  stub = await startStubGateway((body, res, req) => {
    lastMessageId = /<wsa:MessageID>([^<]+)</.exec(body)?.[1];
    handler(req, body, res);
  });
  endpoint = `${stub.url}/xcpd`;
});

afterAll(async () => {
  client.close();
  await stub.close();
});

let lastMessageId: string | undefined;
const answer = (bodyXml: string): string => buildEnvelope({ action: 'urn:test:Response', relatesTo: lastMessageId, bodyXml });

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected a GatewayError');
}

const call = (timeoutMs?: number) =>
  client.call({ country: 'PT', endpoint, action: 'urn:test:Request', bodyXml: '<q xmlns="urn:test">1</q>', assertions: ['<?xml version="1.0"?><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/>'], timeoutMs });

describe('SoapClient', () => {
  it('sends SOAP 1.2 with WS-Addressing and the assertions in wsse:Security, and parses a plain answer', async () => {
    let seen: { contentType?: string; body: string } = { body: '' };
    handler = (req, body, res) => {
      seen = { contentType: req.headers['content-type'], body };
      res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' }).end(answer('<r xmlns="urn:test">ok</r>'));
    };
    const result = await call();
    expect(seen.contentType).toMatch(/^application\/soap\+xml; charset=UTF-8; action="urn:test:Request"$/);
    const sent = parseSoapEnvelope(seen.body);
    expect(sent.action).toBe('urn:test:Request');
    expect(sent.to).toBe(endpoint);
    expect(sent.messageId).toBe(result.messageId);
    expect(sent.messageId).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(sent.security?.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion').length).toBe(1);
    expect(sent.payload?.localName).toBe('q');
    expect(result.body.payload?.localName).toBe('r');
    expect(result.body.payload?.textContent).toBe('ok');
    expect(result.attachments.size).toBe(0);
  });

  it('reads an MTOM/XOP multipart answer with its binary attachment', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
    handler = (_req, _body, res) => {
      const env = answer('<r xmlns="urn:test"><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:doc1%40example"/></r>');
      const mtom = buildMtom(env, [{ cid: 'doc1@example', contentType: 'application/pdf', data: pdf }], 'urn:test:Response');
      res.writeHead(200, { 'Content-Type': mtom.contentType }).end(mtom.body);
    };
    const result = await call();
    expect(result.body.payload?.localName).toBe('r');
    expect(result.attachments.get('doc1@example')?.data.equals(pdf)).toBe(true);
    expect(result.attachments.get('doc1@example')?.contentType).toBe('application/pdf');
  });

  it('turns a SOAP fault into a typed fault error carrying the eHDSI code', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(500, { 'Content-Type': 'application/soap+xml' }).end(buildFaultEnvelope({ code: 'Sender', subcode: 'ehdsi:4701', reason: 'No consent' }));
    };
    const e = await failure(call());
    expect(e).toMatchObject({ country: 'PT', kind: 'fault', httpStatus: 500, faultCode: 'Sender', faultReason: 'No consent', ehdsiCode: '4701' });
  });

  it('recognises eHDSI codes in fault subcodes, and only those', async () => {
    for (const [subcode, expected] of [['ERROR_PI_GENERIC', 'ERROR_PI_GENERIC'], ['ehdsi:XDSMissingDocument', 'XDSMissingDocument'], ['wsa:ActionNotSupported', undefined]] as const) {
      handler = (_req, _body, res) => {
        res.writeHead(500, { 'Content-Type': 'application/soap+xml' }).end(buildFaultEnvelope({ code: 'Sender', subcode, reason: 'r' }));
      };
      expect((await failure(call())).ehdsiCode).toBe(expected);
    }
  });

  it('times out a gateway that never answers', async () => {
    handler = () => undefined;
    const started = Date.now();
    const e = await failure(call(300));
    expect(e.kind).toBe('timeout');
    expect(e.country).toBe('PT');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out a gateway that starts answering but never finishes', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml' });
      res.write('<env:Envelope');
    };
    expect((await failure(call(300))).kind).toBe('timeout');
  });

  it('reports a connection dropped mid-answer', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml', 'Content-Length': '5000' });
      res.write('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">', () => res.socket?.destroy());
    };
    expect((await failure(call())).kind).toBe('connection');
  });

  it('reports a truncated multipart as malformed', async () => {
    handler = (_req, _body, res) => {
      const mtom = buildMtom(answer('<r xmlns="urn:test"/>'), [{ cid: 'a@b', contentType: 'application/pdf', data: Buffer.alloc(100, 1) }]);
      res.writeHead(200, { 'Content-Type': mtom.contentType }).end(mtom.body.subarray(0, mtom.body.length - 40));
    };
    expect((await failure(call())).kind).toBe('malformed');
  });

  it('refuses an answer carrying a DOCTYPE (no entity expansion)', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${answer('<r xmlns="urn:test">&e;</r>').replace(/^<\?xml[^>]*>/, '')}`);
    };
    expect((await failure(call())).kind).toBe('malformed');
  });

  it('refuses an answer that relates to another message', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(buildEnvelope({ action: 'urn:test:Response', relatesTo: 'urn:uuid:someone-else', bodyXml: '<r xmlns="urn:test"/>' }));
    };
    expect((await failure(call())).kind).toBe('malformed');
  });

  it('reports a non-SOAP HTTP error with its status', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(503, { 'Content-Type': 'text/html' }).end('<html>down</html>');
    };
    expect(await failure(call())).toMatchObject({ kind: 'http', httpStatus: 503 });
  });

  it('reports a refused connection', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(client.call({ country: 'MT', endpoint: `http://127.0.0.1:${port}/`, action: 'a', bodyXml: '<q/>', assertions: [] }));
    expect(e).toMatchObject({ kind: 'connection', country: 'MT' });
  });

  describe('a kept-alive connection the gateway closed as it was reused', () => {
    /** A gateway answering the first `answered` requests of each connection, resetting the later ones (the idle-close race). */
    async function resettingGateway(answered: (connection: number, request: number) => boolean) {
      const perSocket = new WeakMap<object, number>();
      let connections = 0;
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (!perSocket.has(req.socket)) perSocket.set(req.socket, ++connections * 1000);
          const n = perSocket.get(req.socket)! + 1;
          perSocket.set(req.socket, n);
          if (!answered(Math.floor(n / 1000), n % 1000)) return req.socket.resetAndDestroy();
          const id = /<wsa:MessageID>([^<]+)</.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
          res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(buildEnvelope({ action: 'urn:test:Response', relatesTo: id, bodyXml: '<r xmlns="urn:test"/>' }));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const own = new SoapClient({ timeoutMs: 2000 });
      const at = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xca`;
      return {
        call: () => own.call({ country: 'HR', endpoint: at, action: 'urn:test:Request', bodyXml: '<q xmlns="urn:test"/>', assertions: [] }),
        connections: () => connections,
        close: async () => {
          own.close();
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        },
      };
    }

    it('is sent once more on a new connection', async () => {
      const gw = await resettingGateway((_connection, request) => request === 1);
      try {
        await gw.call();
        // The second call reuses the first connection, which the gateway resets: the call goes through a new one.
        await expect(gw.call()).resolves.toBeDefined();
        expect(gw.connections()).toBe(2);
      } finally {
        await gw.close();
      }
    });

    it('only once: a gateway resetting the new connection too is a connection failure', async () => {
      const gw = await resettingGateway((connection, request) => connection === 1 && request === 1);
      try {
        await gw.call();
        expect(await failure(gw.call())).toMatchObject({ kind: 'connection', country: 'HR' });
        expect(gw.connections()).toBe(2);
      } finally {
        await gw.close();
      }
    });

    it('a new connection reset before any answer is not retried', async () => {
      const gw = await resettingGateway(() => false);
      try {
        expect(await failure(gw.call())).toMatchObject({ kind: 'connection' });
        expect(gw.connections()).toBe(1);
      } finally {
        await gw.close();
      }
    });
  });
});
