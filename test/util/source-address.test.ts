import type { Request } from 'express';
import { FORWARDED_CLIENT_HEADER, INTERNAL_KEY_HEADER, forwardedClientHeaders, sourceAddressOf } from '../../src/util/source-address.js';

/** A request as express gives it: the socket's peer and the headers. */
function request(peer: string, headers: Record<string, string>): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { ip: peer, socket: { remoteAddress: peer }, get: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

describe('the source address of a request', () => {
  test('is the socket\'s peer', () => {
    expect(sourceAddressOf(request('203.0.113.7', {}))).toBe('203.0.113.7');
  });

  test('is the browser\'s address when the portal of this process calls over loopback with its key', () => {
    const headers = forwardedClientHeaders('198.51.100.4');
    expect(sourceAddressOf(request('127.0.0.1', headers))).toBe('198.51.100.4');
    expect(sourceAddressOf(request('::ffff:127.0.0.1', headers))).toBe('198.51.100.4');
    expect(sourceAddressOf(request('::1', headers))).toBe('198.51.100.4');
  });

  test('is never what a caller claims: a wrong key, no key, or the right key from outside loopback', () => {
    const key = forwardedClientHeaders('x')[INTERNAL_KEY_HEADER];
    expect(sourceAddressOf(request('127.0.0.1', { [FORWARDED_CLIENT_HEADER]: '198.51.100.4' }))).toBe('127.0.0.1');
    expect(sourceAddressOf(request('127.0.0.1', { [FORWARDED_CLIENT_HEADER]: '198.51.100.4', [INTERNAL_KEY_HEADER]: 'guess' }))).toBe('127.0.0.1');
    expect(sourceAddressOf(request('203.0.113.7', { [FORWARDED_CLIENT_HEADER]: '198.51.100.4', [INTERNAL_KEY_HEADER]: key }))).toBe('203.0.113.7');
    // An absurdly long claim is not believed either.
    expect(sourceAddressOf(request('127.0.0.1', { [FORWARDED_CLIENT_HEADER]: 'a'.repeat(65), [INTERNAL_KEY_HEADER]: key }))).toBe('127.0.0.1');
  });
});
