// `prestart` (before the build): the configuration is valid and the ports `npm start`
// will listen on are free, else the setting to change is named and the start stops.
//   npx tsx scripts/check-ports.ts
// Exit codes: 0 free, 2 invalid setting, 3 a port taken or refused (src/port-check.ts).
import { loadConfigOrExit } from '../src/config/config.js';
import { checkPorts, PORT_UNAVAILABLE_EXIT_CODE } from '../src/port-check.js';

const problems = await checkPorts(loadConfigOrExit());
if (problems.length > 0) {
  process.stderr.write(problems.map((p) => `Cannot start: ${p}\n`).join(''));
  process.exitCode = PORT_UNAVAILABLE_EXIT_CODE;
}
