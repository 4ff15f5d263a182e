import { isIP } from 'node:net';
import { ConfigError, type Config } from './config.js';

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** True for an address or a CIDR range (203.0.113.0/24, fd00::/8) or one of Express's named ranges. */
function isProxyRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The reverse proxies to believe (TRUST_PROXY), checked at start: a wrong entry stops the server, named. */
export function trustedProxies(config: Pick<Config, 'get'>): string[] {
  const list = (config.get('trustProxy') as string[] | undefined) ?? [];
  const wrong = list.filter((e) => !isProxyRange(e));
  if (wrong.length) {
    throw new ConfigError('trustProxy (TRUST_PROXY)', `not an address, a CIDR range or loopback/linklocal/uniquelocal: ${wrong.join(', ')}`);
  }
  return list;
}
