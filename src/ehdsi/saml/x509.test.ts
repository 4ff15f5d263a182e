import { positiveInteger } from './x509.js';

describe('DER INTEGER encoding of certificate fields', () => {
  test('leading zero bytes are dropped (a random serial starting with 0x00 used to make an invalid certificate)', () => {
    expect(positiveInteger(Buffer.from([0x00, 0x12, 0x34]))).toEqual(Buffer.from([0x02, 0x02, 0x12, 0x34]));
    expect(positiveInteger(Buffer.from([0x00, 0x00, 0x92]))).toEqual(Buffer.from([0x02, 0x02, 0x00, 0x92]));
  });
  test('a high first bit gets one zero byte so the integer stays positive', () => {
    expect(positiveInteger(Buffer.from([0x80, 0x01]))).toEqual(Buffer.from([0x02, 0x03, 0x00, 0x80, 0x01]));
  });
  test('zero stays one byte', () => {
    expect(positiveInteger(Buffer.from([0x00, 0x00]))).toEqual(Buffer.from([0x02, 0x01, 0x00]));
  });
});
