/**
 * The quality metrics against scikit-learn 1.2 (Debian's python3-sklearn) on the same labels, predictions and
 * scores: every value equal to floating-point error (1e-12 relative), undefined values where scikit-learn refuses.
 */
import {
  Confusion,
  binaryMetrics,
  confusion,
  groupedQuality,
  outcomeFairness,
  regressionMetrics,
  rocAuc,
} from '../../core/quality/metrics';
import { makeRng } from '../../scripts/make-example-data';
import { BinaryCase, RegressionCase, SKLEARN_INSTALL_HINT, requireSklearn, sklearnReference } from '../support/sklearn';

/** Equal to floating-point error: 1e-12 relative (absolute near 0). */
function expectSame(actual: number | null | undefined, expected: number | null | undefined, what: string): void {
  if (expected === null || expected === undefined) {
    expect({ what, actual: actual ?? null }).toEqual({ what, actual: null });
    return;
  }
  if (typeof actual !== 'number') throw new Error(`${what}: got ${actual}, scikit-learn says ${expected}`);
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  if (Math.abs(actual - expected) > tolerance)
    throw new Error(`${what}: got ${actual}, scikit-learn says ${expected} (difference ${actual - expected})`);
}

function binaryCase(
  n: number,
  seed: number,
  opts: { scoreDecimals?: number; groups?: readonly string[] } = {},
): BinaryCase {
  const rng = makeRng(seed);
  const truth: number[] = [];
  const predicted: number[] = [];
  const scores: number[] = [];
  const groups: string[] = [];
  const groupValues = opts.groups ?? ['F', 'M', 'X'];
  for (let i = 0; i < n; i++) {
    const g = groupValues[Math.floor(rng() * groupValues.length)] as string;
    const t = rng() < (g === 'F' ? 0.3 : 0.2) ? 1 : 0;
    let s = Math.min(1, Math.max(0, (t ? 0.62 : 0.4) + (rng() - 0.5) * 0.7));
    if (opts.scoreDecimals !== undefined) s = Number(s.toFixed(opts.scoreDecimals));
    truth.push(t);
    scores.push(s);
    predicted.push(s >= 0.5 ? 1 : 0);
    groups.push(g);
  }
  return { kind: 'binary', truth, predicted, scores, groups };
}

function regressionCase(n: number, seed: number): RegressionCase {
  const rng = makeRng(seed);
  const truth: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.exp(3 + rng() * 2);
    truth.push(t);
    predicted.push(t * (0.8 + rng() * 0.4) + (rng() - 0.5) * 10);
  }
  return { kind: 'regression', truth, predicted };
}

function groupMap(c: BinaryCase): Map<string, Confusion> {
  const byGroup = new Map<string, { t: number[]; p: number[] }>();
  c.groups?.forEach((g, i) => {
    const e = byGroup.get(g) ?? { t: [], p: [] };
    e.t.push(c.truth[i] as number);
    e.p.push(c.predicted[i] as number);
    byGroup.set(g, e);
  });
  return new Map([...byGroup].map(([g, e]) => [g, confusion(e.t, e.p)]));
}

function compareBinary(c: BinaryCase, ref: Record<string, any>, name: string): void {
  const m = binaryMetrics(confusion(c.truth, c.predicted));
  for (const key of ['accuracy', 'precision', 'recall', 'f1', 'falsePositiveRate'] as const)
    expectSame(m[key], ref[key], `${name} ${key}`);
  if (c.scores) expectSame(rocAuc(c.truth, c.scores), ref.rocAuc, `${name} rocAuc`);
  if (c.groups) {
    const { groups } = groupedQuality(groupMap(c), 1);
    expect(Object.keys(groups)).toEqual(Object.keys(ref.groups));
    for (const [g, q] of Object.entries(groups))
      for (const key of ['count', 'truePositiveRate', 'falsePositiveRate', 'precision', 'accuracy'] as const)
        expectSame(q[key], ref.groups[g][key], `${name} group ${g} ${key}`);
  }
}

// GIVEN datasets with ties, rare classes and every zero-division corner
const BINARY: Record<string, BinaryCase> = {
  'random scores (no ties)': binaryCase(5000, 1),
  'scores rounded to 2 decimals (many ties)': binaryCase(5000, 2, { scoreDecimals: 2 }),
  'scores rounded to 0 decimals (three values)': binaryCase(2000, 3, { scoreDecimals: 0 }),
  'every score equal': {
    kind: 'binary',
    truth: [1, 0, 1, 0, 0],
    predicted: [1, 1, 1, 1, 1],
    scores: [0.5, 0.5, 0.5, 0.5, 0.5],
  },
  'nothing predicted positive': {
    kind: 'binary',
    truth: [1, 0, 1, 0],
    predicted: [0, 0, 0, 0],
    scores: [0.1, 0.2, 0.3, 0.2],
  },
  'no positive label': { kind: 'binary', truth: [0, 0, 0], predicted: [1, 0, 0], scores: [0.9, 0.1, 0.2] },
  'no negative label': { kind: 'binary', truth: [1, 1, 1], predicted: [1, 0, 0], scores: [0.9, 0.1, 0.2] },
  'no positive label or prediction': { kind: 'binary', truth: [0, 0], predicted: [0, 0], scores: [0.1, 0.2] },
  perfect: { kind: 'binary', truth: [0, 1, 0, 1], predicted: [0, 1, 0, 1], scores: [0.1, 0.9, 0.2, 0.8] },
  inverted: { kind: 'binary', truth: [0, 1, 0, 1], predicted: [1, 0, 1, 0], scores: [0.9, 0.1, 0.8, 0.2] },
  'one record': { kind: 'binary', truth: [1], predicted: [1], scores: [0.7] },
  'a group with no positive labels': {
    kind: 'binary',
    truth: [0, 0, 0, 1, 0, 1, 1],
    predicted: [1, 0, 0, 1, 1, 0, 1],
    scores: [0.6, 0.2, 0.3, 0.9, 0.6, 0.4, 0.8],
    groups: ['a', 'a', 'a', 'b', 'b', 'b', 'b'],
  },
};
const REGRESSION: Record<string, RegressionCase> = {
  'random (5000)': regressionCase(5000, 4),
  'constant truth, predicted exactly (R2 = 1)': { kind: 'regression', truth: [3, 3, 3], predicted: [3, 3, 3] },
  'constant truth, predicted wrongly (R2 = 0)': { kind: 'regression', truth: [3, 3, 3], predicted: [3, 4, 3] },
  'worse than the mean (R2 < 0)': { kind: 'regression', truth: [1, 2, 3], predicted: [3, 2, 1] },
  'large values': { kind: 'regression', truth: [1e9 + 1, 1e9 + 2, 1e9 + 4], predicted: [1e9, 1e9 + 2, 1e9 + 5] },
};

describe('quality metrics equal scikit-learn', () => {
  const binaryNames = Object.keys(BINARY);
  const regressionNames = Object.keys(REGRESSION);
  let reference: Record<string, any>[];
  beforeAll(() => {
    reference = sklearnReference([...Object.values(BINARY), ...Object.values(REGRESSION)]);
  });

  it.each(binaryNames)('binary classification: %s', (name) => {
    compareBinary(BINARY[name] as BinaryCase, reference[binaryNames.indexOf(name)] as Record<string, any>, name);
  });

  it.each(regressionNames)('regression: %s', (name) => {
    // GIVEN / WHEN
    const c = REGRESSION[name] as RegressionCase;
    const m = regressionMetrics(c.truth, c.predicted);
    // THEN
    const ref = reference[binaryNames.length + regressionNames.indexOf(name)] as Record<string, number>;
    for (const key of ['mae', 'rmse', 'r2'] as const) expectSame(m[key], ref[key], `${name} ${key}`);
  });
});

describe('outcome fairness', () => {
  it('takes max - min TPR, the larger of the TPR and FPR gaps, and max - min precision over groups', () => {
    // GIVEN two groups: a has TPR 0 (no positives), FPR 1/3, precision 0; b has TPR 2/3, FPR 1, precision 2/3
    const c = BINARY['a group with no positive labels'] as BinaryCase;
    const { groups } = groupedQuality(groupMap(c), 1);
    // WHEN
    const f = outcomeFairness(groups);
    // THEN
    expect(f?.equalOpportunityDifference).toBeCloseTo(2 / 3, 15);
    expect(f?.equalizedOddsDifference).toBeCloseTo(2 / 3, 15);
    expect(f?.predictiveParityDifference).toBeCloseTo(2 / 3, 15);
  });

  it('leaves groups under minGroupSize out and counts them', () => {
    const c = binaryCase(1000, 5, { groups: ['F', 'F', 'F', 'M', 'M', 'M', 'X'] });
    const { groups, excluded } = groupedQuality(groupMap(c), 200);
    expect(Object.keys(groups)).toEqual(['F', 'M']);
    expect(excluded.X).toBe(c.groups?.filter((g) => g === 'X').length);
    expect(excluded.X).toBeLessThan(200);
  });

  it('is null with fewer than two groups judged', () => {
    expect(outcomeFairness({})).toBeNull();
  });
});

describe('refusals', () => {
  it('rejects labels or predictions other than 0/1', () => {
    expect(() => confusion([0, 2], [0, 1])).toThrow(/record 1 has label 2/);
  });

  it('rejects an empty input rather than compute a metric of nothing', () => {
    expect(() => binaryMetrics(confusion([], []))).toThrow(/no labelled records/);
    expect(() => regressionMetrics([], [])).toThrow(/no labelled records/);
  });

  it('rejects a non-finite score', () => {
    expect(() => rocAuc([0, 1], [0.1, NaN])).toThrow(/record 1 is NaN/);
  });

  it('fails with the install command when scikit-learn is missing, never skips', () => {
    expect(() => requireSklearn('/nonexistent/python3')).toThrow(SKLEARN_INSTALL_HINT);
  });
});
