import { loadCommand } from '../load/run.js';

// Entry of `npm run load -- …` (see src/load/run.ts and the README's "Load test").
try {
  process.exitCode = await loadCommand(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
} catch (e) {
  process.stderr.write(`load failed: ${(e as Error).stack ?? (e as Error).message}\n`);
  process.exitCode = 1;
}
