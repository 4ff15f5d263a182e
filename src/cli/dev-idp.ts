/**
 * Starts the Pro Santé Connect stand-in alone (for several instances behind a
 * load balancer, which then point at it as their PSC), until Ctrl-C:
 *
 *   PUBLIC_BASE_URL=http://127.0.0.1:8000 DEV_IDP_PORT=8081 DATA_DIR=./data-idp npm run dev-idp
 *
 * It registers the portal's client for PUBLIC_BASE_URL (the load balancer's
 * URL: every instance's portal redirects there) and prints the settings the
 * instances need. Its signing key stays in DATA_DIR/dev-idp (give the same
 * DATA_DIR to npm run dev-token and npm run load).
 */
import { startStandIn } from '../app-services.js';
import { loadConfigOrExit } from '../config/config.js';
import { DEV_CLIENT_SECRET, DEV_EHR_CLIENT_ID, DEV_SMART_CLIENT_ID } from '../dev-idp/constants.js';
import { createLogger } from '../logging/logger.js';
import { stopOnSignals } from '../util/stop-on-signals.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.get('auth.issuer') !== undefined) {
    console.error('dev-idp: PSC_ISSUER is set, which names a real Pro Santé Connect: the stand-in is for development and tests only; unset it here');
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const publicOrigin = config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`;
  const idp = await startStandIn(config, logger, publicOrigin);
  const secret = (config.get('auth.clientSecret') as string | undefined) ?? DEV_CLIENT_SECRET;
  process.stdout.write(
    `Pro Santé Connect stand-in at ${idp.issuer}\n` +
      `portal client ${String(config.get('auth.clientId'))} registered for ${publicOrigin}/portal/callback\n` +
      'instances behind the load balancer:\n' +
      `  PSC_ISSUER=${idp.issuer}\n` +
      `  PSC_CLIENT_SECRET=${secret === DEV_CLIENT_SECRET ? '<the stand-in\'s development secret>' : '<PSC_CLIENT_SECRET given here>'}\n` +
      `  PUBLIC_BASE_URL=${publicOrigin}\n` +
      `  PSC_ALLOWED_CLIENTS=${String(config.get('auth.clientId'))},${DEV_EHR_CLIENT_ID},${DEV_SMART_CLIENT_ID}\n`,
  );
  stopOnSignals(logger, 'stand-in shutting down', () => idp.close());
}

main().catch((e: unknown) => {
  console.error('Pro Santé Connect stand-in failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
