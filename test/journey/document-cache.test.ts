import { DocumentCache, type CachedDocuments } from '../../src/journey/document-cache.js';

const docs = (bytes: number): CachedDocuments => ({
  country: 'HR',
  entries: [],
  originals: new Map([['1.2^x', { entry: { entryUuid: 'urn:uuid:1', uniqueId: '1.2^x', repositoryUniqueId: '1.2', homeCommunityId: '1', mimeType: 'text/xml', xfrm: [] }, cda: Buffer.alloc(bytes) }]]),
});

describe('DocumentCache', () => {
  let now = 1_000_000;
  const clock = () => now;
  const later = (ms: number) => new Date(now + ms);

  test('an entry ends with its consent', () => {
    const cache = new DocumentCache(10, 1000, clock);
    cache.put('a', docs(10), later(5000));
    expect(cache.get('a')).toBeDefined();
    now += 5000;
    expect(cache.get('a')).toBeUndefined();
    cache.put('b', docs(10), later(-1));
    expect(cache.get('b')).toBeUndefined();
  });

  test('the least recently used entries go first when the count or bytes are exceeded', () => {
    const cache = new DocumentCache(2, 100, clock);
    cache.put('a', docs(10), later(60_000));
    cache.put('b', docs(10), later(60_000));
    cache.get('a');
    cache.put('c', docs(10), later(60_000));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true]);
    cache.put('d', docs(95), later(60_000));
    expect(cache.size()).toBe(1);
    expect(cache.get('d')).toBeDefined();
    expect(cache.bytes()).toBe(95);
  });

  test('an entry larger than the whole cache is not kept', () => {
    const cache = new DocumentCache(5, 50, clock);
    cache.put('a', docs(10), later(60_000));
    cache.put('big', docs(51), later(60_000));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.bytes()).toBeLessThanOrEqual(50);
  });

  test('keys keep owners, patients and consents apart', () => {
    expect(DocumentCache.key('A', 'p', 'c')).not.toBe(DocumentCache.key('B', 'p', 'c'));
    expect(DocumentCache.key('A', 'p', 'c1')).not.toBe(DocumentCache.key('A', 'p', 'c2'));
  });
});
