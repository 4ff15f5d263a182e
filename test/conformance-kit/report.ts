/** The kit's results: one line per check, grouped by area; a failure says what was expected and what came. */

export class CheckFailed extends Error {}

/** Fails the running check with a message. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export interface CheckResult {
  area: string;
  name: string;
  ok: boolean;
  detail?: string;
}

export class Report {
  readonly results: CheckResult[] = [];

  constructor(private readonly out: (line: string) => void) {}

  /** Runs one check; a thrown error is its failure (the kit goes on with the next check). */
  async check(area: string, name: string, run: () => Promise<string | void>): Promise<boolean> {
    try {
      const detail = await run();
      this.results.push({ area, name, ok: true, detail: detail || undefined });
      this.out(`  ✓ ${area}: ${name}${detail ? ` — ${detail}` : ''}`);
      return true;
    } catch (e) {
      const detail = e instanceof CheckFailed ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
      this.results.push({ area, name, ok: false, detail });
      this.out(`  ✗ ${area}: ${name} — ${detail}`);
      return false;
    }
  }

  /** Records a check that could not run because an earlier step failed. */
  skipped(area: string, name: string, because: string): void {
    this.results.push({ area, name, ok: false, detail: `not run: ${because}` });
    this.out(`  ✗ ${area}: ${name} — not run: ${because}`);
  }

  get failures(): CheckResult[] {
    return this.results.filter((r) => !r.ok);
  }
}
