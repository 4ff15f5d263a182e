import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type StubResponder = (body: string, res: http.ServerResponse, req: http.IncomingMessage) => void;

/** A loopback HTTP server standing in for a country's gateway in client tests. */
export interface StubGateway {
  /** http://127.0.0.1:port */
  url: string;
  /** The body of the last request received. */
  lastBody: string;
  /** What the next requests are answered with. */
  respond: StubResponder;
  close(): Promise<void>;
}

export async function startStubGateway(respond: StubResponder = (_b, res) => res.writeHead(500).end()): Promise<StubGateway> {
  const stub: StubGateway = {
    url: '',
    lastBody: '',
    respond,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stub.lastBody = Buffer.concat(chunks).toString('utf8');
      stub.respond(stub.lastBody, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}
