import { buildMtom, contentTypeParams, MtomError, normaliseCid, parseMtom } from './mtom.js';

const CRLF = '\r\n';

function multipart(boundary: string, parts: Array<{ headers: string[]; body: string | Buffer }>, close = true): Buffer {
  const chunks: Buffer[] = [Buffer.from(`preamble${CRLF}`)];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}${CRLF}${p.headers.join(CRLF)}${CRLF}${CRLF}`), Buffer.from(p.body), Buffer.from(CRLF));
  if (close) chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

describe('parseMtom', () => {
  const ct = 'multipart/related; type="application/xop+xml"; boundary="uuid:b-1;x"; start="<root@x>"; start-info="application/soap+xml"';

  it('finds the root by its start Content-ID, whatever the part order, and decodes base64 parts', () => {
    const body = multipart('uuid:b-1;x', [
      { headers: ['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', 'Content-ID: <doc%201@x>'], body: Buffer.from('%PDF-1.4').toString('base64') },
      { headers: ['Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"', 'Content-ID: <root@x>'], body: '<env/>' },
    ]);
    const m = parseMtom(ct, body);
    expect(m.rootXml).toBe('<env/>');
    expect(m.rootContentType).toMatch(/^application\/xop\+xml/);
    expect(m.parts.get('doc%201@x')?.data.toString()).toBe('%PDF-1.4');
    expect(normaliseCid('cid:doc%25201@x')).toBe('doc%201@x');
  });

  it('keeps binary content byte for byte, including CRLF and dashes', () => {
    const data = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255, 13, 10]);
    const built = buildMtom('<env>é</env>', [{ cid: 'a@b', contentType: 'application/octet-stream', data }], 'urn:ihe:iti:2007:CrossGatewayRetrieveResponse');
    const m = parseMtom(built.contentType, built.body);
    expect(m.rootXml).toBe('<env>é</env>');
    expect(m.parts.get('a@b')?.data.equals(data)).toBe(true);
    expect(contentTypeParams(built.contentType).params.type).toBe('application/xop+xml');
  });

  it('refuses a truncated message, a missing boundary, a missing root, an unknown encoding', () => {
    const parts = [{ headers: ['Content-ID: <root@x>'], body: '<env/>' }];
    expect(() => parseMtom(ct, multipart('uuid:b-1;x', parts, false))).toThrow(MtomError);
    expect(() => parseMtom('multipart/related', multipart('uuid:b-1;x', parts))).toThrow(/boundary/);
    expect(() => parseMtom(ct, multipart('uuid:b-1;x', [{ headers: ['Content-ID: <other@x>'], body: '<env/>' }]))).toThrow(/root/);
    expect(() => parseMtom(ct, multipart('uuid:b-1;x', [{ headers: ['Content-ID: <root@x>', 'Content-Transfer-Encoding: quoted-printable'], body: 'x' }]))).toThrow(/Transfer-Encoding/);
    expect(() => parseMtom('application/soap+xml', Buffer.from('<x/>'))).toThrow(MtomError);
  });
});
