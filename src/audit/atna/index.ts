export { AtnaExporter, type AtnaExporterOptions, type AtnaExporterStats } from './exporter.js';
export { toDicomAuditMessage, type AtnaSource } from './message.js';
export { ATNA_MSGID, ATNA_PRI, octetCountedFrame, readOctetCountedFrames, syslogMessage, type SyslogHeader } from './syslog.js';
export { atnaExporterFromConfig } from './from-config.js';
