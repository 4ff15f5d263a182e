import type { Logger } from '../logging/logger.js';

/** On Ctrl-C or SIGTERM: says so, closes what the process started, exits 0 (the entry points' common end). */
export function stopOnSignals(logger: Logger, message: string, close: () => Promise<void>): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, message);
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
