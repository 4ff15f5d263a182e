/**
 * A fixed-window request counter per key (a professional, a source address),
 * in memory: with several instances behind a load balancer, each counts its
 * own requests, so the effective limit is per instance.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the current window ends (for Retry-After). */
  retryAfterSeconds: number;
}

export interface FixedWindowOptions {
  /** Requests allowed per window and key. */
  limit: number;
  windowMs: number;
  /** Most keys remembered; beyond it expired windows are forgotten, then the oldest. */
  maxKeys?: number;
  now?: () => number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly opts: FixedWindowOptions) {
    if (!(opts.limit > 0) || !(opts.windowMs > 0)) throw new RangeError('limit and windowMs must be positive');
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  get limit(): number {
    return this.opts.limit;
  }

  /** Counts one request of `key` and says whether it is within the limit. */
  take(key: string): RateDecision {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.opts.windowMs) {
      if (window) this.windows.delete(key);
      window = { start: now, count: 0 };
      this.prune(now);
      this.windows.set(key, window);
    }
    window.count++;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.opts.windowMs - now) / 1000));
    return { allowed: window.count <= this.opts.limit, retryAfterSeconds };
  }

  private prune(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [k, w] of this.windows) if (now - w.start >= this.opts.windowMs) this.windows.delete(k);
    // Insertion order: the oldest windows go first.
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
