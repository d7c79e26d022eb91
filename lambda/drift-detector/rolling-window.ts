/**
 * The rolling window of small files: a file below minSamples joins it; once the window holds minSamples records it
 * is judged (its result returned) and emptied. A window older than windowMaxAgeHours, or counted against another
 * baseline, is discarded and its records reported as expired.
 */
import { BaselineDocument } from '../../core/contracts/baseline';
import { DriftAccumulator } from './accumulator';
import { DriftResult, WindowCounts } from './counting/drift-result';
import { DetectorContext, newAccumulator } from './detector-context';
import { Dimensions } from './metrics';
import { DriftStateStore, WindowState } from './state-store';

/** What joining the rolling window did: the window's result and counts when it was judged. */
export interface RolledWindow {
  readonly judged?: { readonly result: DriftResult; readonly counts: WindowCounts };
  readonly files: number;
  readonly expired: number;
}

export async function rollWindow(
  ctx: Pick<DetectorContext, 'config' | 'now'>,
  opts: {
    readonly store: DriftStateStore;
    readonly dims: Dimensions;
    /** The small file's counts. */
    readonly file: DriftAccumulator;
    readonly baseline: BaselineDocument;
  },
): Promise<RolledWindow> {
  const { config } = ctx;
  const { store, dims, file, baseline } = opts;
  const baselineId = `${baseline.source.sha256}@${baseline.createdAt}`;
  const at = ctx.now();
  let outcome: RolledWindow = { files: 0, expired: 0 };
  await store.updateWindow(dims, (current?: WindowState) => {
    const ageMs = current ? at.getTime() - Date.parse(current.startedAt) : 0;
    const stale =
      current !== undefined && (current.baselineId !== baselineId || !(ageMs <= config.windowMaxAgeHours * 3_600_000));
    const window = newAccumulator(config, baseline);
    let kept = current !== undefined && !stale;
    if (kept) {
      try {
        window.merge((current as WindowState).counts);
      } catch {
        kept = false; // a window of another shape cannot be mixed in: discard and count it
      }
    }
    window.merge(file.snapshot());
    const files = (kept ? (current as WindowState).files : 0) + 1;
    const expired = current !== undefined && !kept ? current.counts.samples : 0;
    if (window.sampleCount >= config.minSamples) {
      outcome = { judged: { result: window.result(), counts: window.counts() }, files, expired };
      return undefined;
    }
    outcome = { files, expired };
    return {
      baselineId,
      startedAt: kept ? (current as WindowState).startedAt : at.toISOString(),
      files,
      counts: window.snapshot(),
    };
  });
  return outcome;
}
