import {
  PSI_EPSILON,
  demographicParityDifference,
  disparateImpactRatio,
  jsDistance,
  jsDivergence,
  ksFromGridCdfs,
  ksStatistic,
  psi,
} from '../../../lambda/drift-detector/statistics';

describe('psi', () => {
  it('matches the textbook value (0.25 ln 3) for a 50/50 -> 25/75 shift', () => {
    // GIVEN / WHEN / THEN: (0.25-0.5) ln(0.25/0.5) + (0.75-0.5) ln(0.75/0.5) = 0.25 (ln 2 + ln 1.5) = 0.25 ln 3
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(3), 12);
  });

  it('normalises counts, so counts and proportions give the same value', () => {
    expect(psi([50, 50], [25, 75])).toBeCloseTo(psi([0.5, 0.5], [0.25, 0.75]), 14);
  });

  it('is 0 for identical distributions, including bins empty on both sides', () => {
    expect(psi([0.2, 0.3, 0.5, 0], [2, 3, 5, 0])).toBe(0);
  });

  it('replaces an empty bin by epsilon (1e-4) and leaves the other bins alone', () => {
    // GIVEN a bin the baseline never saw (expected 0) that now holds 25%
    const value = psi([0.5, 0.5, 0], [0.5, 0.25, 0.25]);
    // THEN (0.25 - 1e-4) ln(0.25 / 1e-4) + (0.25 - 0.5) ln(0.25 / 0.5)
    expect(PSI_EPSILON).toBe(1e-4);
    expect(value).toBeCloseTo((0.25 - 1e-4) * Math.log(0.25 / 1e-4) + -0.25 * Math.log(0.5), 12);
  });

  it('stays finite when a current bin empties, and is large', () => {
    const value = psi([0.1, 0.9], [0, 1]);
    expect(value).toBeCloseTo((1e-4 - 0.1) * Math.log(1e-4 / 0.1) + 0.1 * Math.log(1 / 0.9), 12);
    expect(value).toBeGreaterThan(0.6);
  });

  it('rejects distributions with different bins', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(/2 and 1 bins/);
  });
});

describe('Jensen-Shannon (base 2)', () => {
  it('is 1 for disjoint distributions (the base-2 maximum)', () => {
    expect(jsDivergence([1, 0], [0, 1])).toBeCloseTo(1, 14);
    expect(jsDistance([1, 0], [0, 1])).toBeCloseTo(1, 14);
  });

  it('matches H(M) - (H(P)+H(Q))/2 for P=(.5,.5), Q=(1,0)', () => {
    // M = (.75,.25); H(M) = -(.75 log2 .75 + .25 log2 .25); H(P) = 1; H(Q) = 0
    const hM = -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25));
    expect(jsDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(hM - 0.5, 14);
    expect(jsDistance([0.5, 0.5], [1, 0])).toBeCloseTo(Math.sqrt(0.31127812445913283), 12);
  });

  it('is 0 for identical distributions and symmetric', () => {
    expect(jsDistance([0.2, 0.8], [2, 8])).toBe(0);
    expect(jsDistance([0.1, 0.6, 0.3], [0.3, 0.3, 0.4])).toBeCloseTo(jsDistance([0.3, 0.3, 0.4], [0.1, 0.6, 0.3]), 15);
  });
});

describe('Kolmogorov-Smirnov', () => {
  it('matches textbook two-sample values', () => {
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBeCloseTo(0.5, 14);
    // at x = 3: F_a = 1, F_b = 2/5
    expect(ksStatistic([1, 2, 3], [1.5, 2.5, 3.5, 4.5, 5.5])).toBeCloseTo(0.6, 14);
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([0, 0, 0], [1, 1])).toBe(1);
  });

  it('handles ties by comparing after the jump (right-continuous ECDF)', () => {
    // a = {1,1,2}, b = {1,2,2}: after x=1 F_a = 2/3, F_b = 1/3
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 14);
  });

  it('from grid CDFs takes the max over points and left limits', () => {
    expect(ksFromGridCdfs([0.5, 1], [0, 0.5], [0.5, 1], [0.1, 0.5])).toBeCloseTo(0.1, 14);
  });

  it('rejects an empty sample', () => {
    expect(() => ksStatistic([], [1])).toThrow(/at least one value/);
  });
});

describe('fairness', () => {
  const groups = [
    { group: 'F', count: 100, positives: 25 },
    { group: 'M', count: 100, positives: 50 },
  ];

  it('demographic parity difference is max - min positive rate', () => {
    expect(demographicParityDifference(groups)).toBeCloseTo(0.25, 14);
  });

  it('disparate impact ratio is min / max positive rate', () => {
    expect(disparateImpactRatio(groups)).toBeCloseTo(0.5, 14);
    expect(disparateImpactRatio([...groups, { group: 'X', count: 200, positives: 40 }])).toBeCloseTo(0.2 / 0.5, 14);
  });

  it('is undefined with a single group (nothing to compare)', () => {
    expect(demographicParityDifference([groups[0]!])).toBeUndefined();
    expect(disparateImpactRatio([groups[0]!])).toBeUndefined();
  });

  it('with zero positives: parity difference 0, disparate impact undefined (0/0)', () => {
    const none = groups.map((g) => ({ ...g, positives: 0 }));
    expect(demographicParityDifference(none)).toBe(0);
    expect(disparateImpactRatio(none)).toBeUndefined();
  });

  it('leaves out groups below the minimum size', () => {
    const withTiny = [...groups, { group: 'X', count: 5, positives: 0 }];
    expect(disparateImpactRatio(withTiny, 1)).toBe(0);
    expect(disparateImpactRatio(withTiny, 30)).toBeCloseTo(0.5, 14);
  });
});
