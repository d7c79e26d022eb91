/**
 * What a drift report needs to know about a window beyond the accumulator's counts: why records were skipped and
 * when the window's invocations happened. Shared by the detector and `npm run drift:report`; memory is bounded
 * (at most MAX_REASONS distinct reasons and two timestamps), whatever the number of records.
 */
import { CaptureSink } from '../capture-sink';
import { DriftAccumulator } from '../accumulator';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { categoryKey, numericValue } from '../../../core/contracts/baseline-values';

/** Distinct skip reasons kept; further ones are counted together, so a garbage file cannot grow the report. */
export const MAX_REASONS = 20;
/** Longest reason kept; a JSON parser message can quote a whole line. */
const MAX_REASON_LENGTH = 200;
export const OTHER_REASONS = '(other reasons)';

export interface SkipReason {
  readonly reason: string;
  readonly count: number;
}

export class ReportWindow {
  private readonly reasons = new Map<string, number>();
  private first?: string;
  private last?: string;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  /** The previous line's time: consecutive lines mostly share it, so it is parsed once. */
  private previous?: string;

  /** Counts `count` skipped records under `reason`. */
  skip(reason: string, count = 1): void {
    let key = reason.split('\n', 1)[0]!.trim();
    if (key.length > MAX_REASON_LENGTH) key = `${key.slice(0, MAX_REASON_LENGTH - 1)}…`;
    if (!this.reasons.has(key) && this.reasons.size >= MAX_REASONS) key = OTHER_REASONS;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + count);
  }

  /** Widens the time range with one invocation's eventMetadata.inferenceTime (ignored unless an ISO-8601 time). */
  seen(inferenceTime: unknown): void {
    if (typeof inferenceTime !== 'string' || inferenceTime === this.previous) return;
    this.previous = inferenceTime;
    const ms = Date.parse(inferenceTime);
    if (Number.isNaN(ms)) return;
    if (ms < this.firstMs) [this.firstMs, this.first] = [ms, inferenceTime];
    if (ms > this.lastMs) [this.lastMs, this.last] = [ms, inferenceTime];
  }

  /**
   * Wraps the caller's sink (which feeds `acc`) so that every record the accumulator refuses and every malformed
   * line is counted with its reason: the reasons then add up to the accumulator's malformedRecords exactly.
   */
  tap(sink: CaptureSink, acc: DriftAccumulator, features: readonly FeatureSpec[]): CaptureSink {
    return {
      record: (values, prediction) => {
        const before = acc.malformedCount;
        sink.record(values, prediction);
        const refused = acc.malformedCount - before;
        if (refused > 0) this.skip(refusal(values, features), refused);
      },
      malformed: (n, reason, line, kind) => {
        sink.malformed(n, reason, line, kind);
        this.skip(reason, n);
      },
      inferenceTime: (t) => {
        this.seen(t);
        sink.inferenceTime?.(t);
      },
    };
  }

  /** Skip reasons, most frequent first. */
  skipReasons(): SkipReason[] {
    return [...this.reasons.entries()]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
  }

  timeRange(): { readonly from: string; readonly to: string } | undefined {
    return this.first !== undefined && this.last !== undefined ? { from: this.first, to: this.last } : undefined;
  }
}

/** Why the accumulator refused a record, by the same value readers it uses; the value itself stays out of the key. */
function refusal(values: readonly unknown[], features: readonly FeatureSpec[]): string {
  if (values.length !== features.length)
    return `row has ${values.length} value(s), the baseline has ${features.length} feature(s)`;
  for (let i = 0; i < features.length; i++) {
    const f = features[i] as FeatureSpec;
    try {
      if (f.type === 'numeric') numericValue(values[i], f.name);
      else categoryKey(values[i], f.name);
    } catch {
      return `feature "${f.name}" has a value that is not ${f.type === 'numeric' ? 'a number' : 'a category'}`;
    }
  }
  return 'the prediction is unreadable';
}
