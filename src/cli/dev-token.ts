import { ConfigError, loadConfig } from '../config/config.js';
import { devTokenCommand } from '../dev-idp/dev-token-command.js';

// Entry of `npm run dev-token -- …` (see src/dev-idp/dev-token-command.ts).
try {
  const code = await devTokenCommand(process.argv.slice(2), loadConfig(), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : `dev-token failed: ${(e as Error).message}`}\n`);
  process.exitCode = 1;
}
