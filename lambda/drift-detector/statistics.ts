/**
 * Drift and fairness statistics, as their textbook definitions. Pure functions over counts or proportions:
 * nothing here allocates per record, so the detector's memory depends only on features x bins.
 */

/**
 * Probability given to an empty bin before PSI takes its logarithm. PSI has ln(a/e) in every term, so one empty bin
 * on either side makes it infinite; replacing a zero proportion by 1e-4 (and leaving the other bins as they are) is
 * the usual credit-risk practice. It bounds one emptied bin's contribution: a bin that held 10% of the baseline and
 * is now empty adds (1e-4 - 0.1) * ln(1e-4 / 0.1) = 0.69 — far above any alarm threshold, which is the point.
 */
export const PSI_EPSILON = 1e-4;

/** Counts (or unnormalised weights) -> proportions; all zeros stay zeros. */
export function toProportions(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? (counts[i] as number) / total : 0;
  return out;
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length)
    throw new RangeError(
      `${what}: distributions have ${a.length} and ${b.length} bins; they must share the baseline's bins`,
    );
  if (a.length === 0) throw new RangeError(`${what}: distributions have no bins`);
}

/**
 * Population Stability Index: sum over bins of (a_i - e_i) * ln(a_i / e_i), with `expected` the baseline and
 * `actual` the current proportions (counts are normalised first). Zero proportions become `epsilon` (see PSI_EPSILON).
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  sameLength(expected, actual, 'psi');
  const e = toProportions(expected);
  const a = toProportions(actual);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = (e[i] as number) > 0 ? (e[i] as number) : epsilon;
    const ai = (a[i] as number) > 0 ? (a[i] as number) : epsilon;
    if (ei === ai) continue; // also covers both empty: contributes exactly 0
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

/** Kullback-Leibler divergence in bits over proportions, with 0 * log(0/q) = 0 (q > 0 wherever p > 0 here). */
function klBits(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    if (pi > 0) sum += pi * Math.log2(pi / (q[i] as number));
  }
  return sum;
}

/**
 * Jensen-Shannon divergence, base 2 (0..1): JS(P||Q) = KL(P||M)/2 + KL(Q||M)/2, M = (P+Q)/2. Needs no smoothing:
 * M is positive wherever P or Q is.
 */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  sameLength(p, q, 'jsDivergence');
  const pp = toProportions(p);
  const qq = toProportions(q);
  const m = pp.map((v, i) => (v + (qq[i] as number)) / 2);
  const js = klBits(pp, m) / 2 + klBits(qq, m) / 2;
  // Rounding can leave -1e-17 for identical inputs; the divergence is never negative.
  return Math.min(1, Math.max(0, js));
}

/** Jensen-Shannon distance, base 2: the square root of the JS divergence, a metric in 0..1. */
export function jsDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  return Math.sqrt(jsDivergence(p, q));
}

/**
 * Two-sample Kolmogorov-Smirnov statistic sup_x |F_a(x) - F_b(x)| over two raw samples (sorted copies are made).
 * The textbook reference the binned form below is tested against; the detector never holds raw samples.
 */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) throw new RangeError('ksStatistic: both samples need at least one value');
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    // Step past every copy of v on both sides, so ties are compared after the jump, as the ECDF is right-continuous.
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/**
 * KS statistic from two CDFs evaluated on a shared grid g_0 < ... < g_k, at each point and just left of it:
 * max over i of |F_a(g_i) - F_b(g_i)| and |F_a(g_i-) - F_b(g_i-)|. When one sample (the baseline) has all its values
 * on the grid, its CDF is flat between grid points, the other CDF is monotone, so the supremum over the real line is
 * reached at one of these 2(k+1) values and this equals the exact two-sample statistic. Otherwise it is a lower
 * bound that is off by at most the baseline mass strictly inside one grid cell (see baseline.ts).
 */
export function ksFromGridCdfs(
  cdfA: ArrayLike<number>,
  leftA: ArrayLike<number>,
  cdfB: ArrayLike<number>,
  leftB: ArrayLike<number>,
): number {
  sameLength(cdfA, cdfB, 'ksFromGridCdfs');
  sameLength(leftA, leftB, 'ksFromGridCdfs');
  let d = 0;
  for (let i = 0; i < cdfA.length; i++) {
    d = Math.max(
      d,
      Math.abs((cdfA[i] as number) - (cdfB[i] as number)),
      Math.abs((leftA[i] as number) - (leftB[i] as number)),
    );
  }
  return d;
}

/** Records and positive predictions of one group of the sensitive attribute. */
export interface GroupOutcome {
  readonly group: string;
  readonly count: number;
  readonly positives: number;
}

function rates(groups: readonly GroupOutcome[], minGroupSize: number): number[] {
  return groups.filter((g) => g.count >= Math.max(1, minGroupSize)).map((g) => g.positives / g.count);
}

/**
 * Demographic parity difference: max minus min positive-prediction rate across groups (0 = parity).
 * Undefined (returns undefined, nothing is published) with fewer than two groups of at least `minGroupSize` records.
 */
export function demographicParityDifference(groups: readonly GroupOutcome[], minGroupSize = 1): number | undefined {
  const r = rates(groups, minGroupSize);
  if (r.length < 2) return undefined;
  return Math.max(...r) - Math.min(...r);
}

/**
 * Disparate impact ratio: lowest positive-prediction rate over the highest (1 = parity; < 0.8 fails the
 * four-fifths rule). We do not know which group is privileged, so the ratio is the worst case over all pairs.
 * Undefined with fewer than two groups, or when no group has a positive prediction (0/0).
 */
export function disparateImpactRatio(groups: readonly GroupOutcome[], minGroupSize = 1): number | undefined {
  const r = rates(groups, minGroupSize);
  if (r.length < 2) return undefined;
  const max = Math.max(...r);
  if (max === 0) return undefined;
  return Math.min(...r) / max;
}
