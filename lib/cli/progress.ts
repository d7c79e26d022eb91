/**
 * Progress lines for long commands: share done, elapsed time and an ETA from the average rate so far, at most one
 * line per `intervalMs` so a log stays readable.
 */
export interface ProgressOptions {
  /** What is being done, e.g. `baseline: train.csv`. */
  readonly label: string;
  /** Total units (bytes, records); 0 or unknown prints counts without share or ETA. */
  readonly total: number;
  /** Unit name for the counts. @default 'bytes' */
  readonly unit?: string;
  /** Where lines go. */
  readonly write: (line: string) => void;
  /** Least time between two lines. @default 2000 */
  readonly intervalMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export interface Progress {
  /** Reports `done` units; prints only when the interval has passed. */
  update(done: number): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 2000;
  const started = now();
  let last = started;
  return {
    update(done: number): void {
      const t = now();
      if (t - last < interval) return;
      last = t;
      const elapsed = t - started;
      if (opts.total > 0 && done > 0) {
        const share = Math.min(1, done / opts.total);
        const eta = (elapsed / share) * (1 - share);
        opts.write(
          `${opts.label}: ${(share * 100).toFixed(0)}% (${done.toLocaleString('en')} of ${opts.total.toLocaleString('en')} ${opts.unit ?? 'bytes'}), ${seconds(elapsed)} elapsed, ETA ${seconds(eta)}\n`,
        );
      } else
        opts.write(
          `${opts.label}: ${done.toLocaleString('en')} ${opts.unit ?? 'bytes'}, ${seconds(elapsed)} elapsed\n`,
        );
    },
  };
}
