import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

const nested = (levels: number): unknown => JSON.parse('{"a":['.repeat(levels) + ']}'.repeat(levels));

describe('JSON depth', () => {
  it('counts objects and arrays, the top-level object as level 1', () => {
    expect(exceedsJsonDepth({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(exceedsJsonDepth({ a: [{ b: [] }] }, 3)).toBe(true);
    expect(exceedsJsonDepth('text', 0)).toBe(false);
    expect(exceedsJsonDepth({ a: null, b: 'x', c: 1 }, 1)).toBe(false);
  });

  it('measures 100,000 levels without recursion (no stack overflow)', () => {
    expect(exceedsJsonDepth(nested(100_000))).toBe(true);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH / 2))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH / 2 + 1))).toBe(true);
  });
});
