/**
 * Syslog framing of IHE ATNA's Record Audit Event [ITI-20]: an RFC 5424
 * message — PRI 85 (facility 10 security/authorization, severity 5 notice),
 * version 1, timestamp, host name, application name, process id, MSGID
 * IHE+RFC-3881, no structured data, then the XML audit message (no byte
 * order mark, as ITI CP 477 asks) — framed for TLS transport by octet
 * counting (RFC 5425 §4.3: MSG-LEN SP SYSLOG-MSG).
 */
export const ATNA_PRI = 10 * 8 + 5;
export const ATNA_MSGID = 'IHE+RFC-3881';

export interface SyslogHeader {
  hostname: string;
  appName: string;
  procId: string;
  timestamp: Date;
}

/** A header field: printable US-ASCII without spaces, at most `max` characters, "-" when empty. */
function field(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean || '-';
}

export function syslogMessage(xml: string, header: SyslogHeader): string {
  return `<${ATNA_PRI}>1 ${header.timestamp.toISOString()} ${field(header.hostname, 255)} ${field(header.appName, 48)} ${field(header.procId, 128)} ${ATNA_MSGID} - ${xml}`;
}

/** RFC 5425 octet-counting frame: the length in bytes of the UTF-8 message, a space, the message. */
export function octetCountedFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/**
 * Splits a stream of octet-counted frames (a receiver's side; tests and
 * tools): returns the complete messages and what is left of the buffer.
 */
export function readOctetCountedFrames(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let offset = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(buffer.subarray(offset, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) throw new Error('not an octet-counted syslog frame');
    if (buffer.length < space + 1 + length) break;
    messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
    offset = space + 1 + length;
  }
  return { messages, rest: buffer.subarray(offset) };
}
