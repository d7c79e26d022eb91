import { DriftAccumulator } from '../../../lambda/drift-detector/accumulator';
import { ksStatistic, psi } from '../../../lambda/drift-detector/statistics';
import { makeRng } from '../../../scripts/make-example-data';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { BaselineBuilder } from '../../../lib/baseline/builder';
import { BaselineDocument, OTHER } from '../../../core/contracts/baseline';

const meta = { createdAt: '2026-01-01T00:00:00.000Z', source: { file: 't', sha256: 'x', format: 'csv' as const } };

function baselineOf(
  features: FeatureSpec[],
  rows: Record<string, unknown>[],
  extra: Partial<ConstructorParameters<typeof BaselineBuilder>[0]> = {},
): BaselineDocument {
  const b = new BaselineBuilder({ features, ...extra });
  rows.forEach((r) => b.add(r));
  return b.build(meta);
}

describe('DriftAccumulator', () => {
  it('gives exactly the two-sample KS when the baseline grid holds every training value', () => {
    // GIVEN integer-valued samples (fewer distinct values than grid points), and a shifted current sample
    const rng = makeRng(3);
    const train = Array.from({ length: 2000 }, () => Math.floor(rng() * 150));
    const current = Array.from({ length: 777 }, () => Math.floor(rng() * 120) + 40 + (rng() < 0.1 ? 0.5 : 0));
    const f: FeatureSpec[] = [{ name: 'x', type: 'numeric' }];
    const acc = new DriftAccumulator(
      baselineOf(
        f,
        train.map((x) => ({ x })),
      ),
      { features: f },
    );
    // WHEN
    current.forEach((x) => acc.add([x], undefined));
    // THEN
    expect(acc.result().features[0]!.ks).toBeCloseTo(ksStatistic(train, current), 12);
  });

  it('bounds KS by maxCellMass when the grid is a quantile sketch', () => {
    const rng = makeRng(4);
    const train = Array.from({ length: 5000 }, () => rng() * 10);
    const current = Array.from({ length: 3000 }, () => rng() * 10 + 0.7);
    const f: FeatureSpec[] = [{ name: 'x', type: 'numeric' }];
    const base = baselineOf(
      f,
      train.map((x) => ({ x })),
    );
    const acc = new DriftAccumulator(base, { features: f });
    current.forEach((x) => acc.add([x], undefined));
    const exact = ksStatistic(train, current);
    const grid = acc.result().features[0]!.ks as number;
    const dist = base.features[0]!.distribution;
    if (dist.type !== 'numeric') throw new Error('numeric expected');
    expect(dist.ks.exact).toBe(false);
    expect(grid).toBeLessThanOrEqual(exact + 1e-12);
    expect(exact).toBeLessThanOrEqual(grid + dist.ks.maxCellMass + 1e-12);
  });

  it('matches psi() over the baseline bins', () => {
    const f: FeatureSpec[] = [{ name: 'x', type: 'numeric' }];
    const base = baselineOf(
      f,
      Array.from({ length: 100 }, (_, i) => ({ x: i + 1 })),
    );
    const acc = new DriftAccumulator(base, { features: f });
    [5, 5, 15, 95, 200].forEach((x) => acc.add([x], undefined));
    // bins: (-Inf,10] x2, (10,20] x1, (90,+Inf) x2
    const expected = psi(new Array(10).fill(0.1), [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(acc.result().features[0]!.psi).toBeCloseTo(expected, 12);
  });

  it('sends unseen categories to __other__ (drift shows, memory does not grow)', () => {
    const f: FeatureSpec[] = [{ name: 'c', type: 'categorical' }];
    const base = baselineOf(
      f,
      ['a', 'a', 'b', 'b'].map((c) => ({ c })),
    );
    const acc = new DriftAccumulator(base, { features: f });
    ['a', 'b', 'zzz', 'yyy'].forEach((c) => acc.add([c], undefined));
    const r = acc.result().features[0]!;
    // baseline (.5,.5,0) vs current (.25,.25,.5): other bin uses epsilon
    expect(r.psi).toBeCloseTo(psi([0.5, 0.5, 0], [0.25, 0.25, 0.5]), 12);
    expect(base.features[0]!.distribution).toMatchObject({ categories: ['a', 'b', OTHER] });
  });

  it('reports 0 drift for a constant feature that stays constant, and full drift when it moves', () => {
    const f: FeatureSpec[] = [{ name: 'k', type: 'numeric' }];
    const base = baselineOf(
      f,
      Array.from({ length: 10 }, () => ({ k: 3 })),
    );
    const same = new DriftAccumulator(base, { features: f });
    const moved = new DriftAccumulator(base, { features: f });
    for (let i = 0; i < 10; i++) {
      same.add([3], undefined);
      moved.add([4], undefined);
    }
    expect(same.result().features[0]).toMatchObject({ psi: 0, ks: 0, jsDistance: 0 });
    expect(moved.result().features[0]!.ks).toBe(1);
    expect(moved.result().features[0]!.jsDistance).toBeCloseTo(1, 12);
  });

  it('counts a record with an unreadable value as malformed and none of its values', () => {
    const f: FeatureSpec[] = [
      { name: 'x', type: 'numeric' },
      { name: 'c', type: 'categorical' },
    ];
    const acc = new DriftAccumulator(baselineOf(f, [{ x: 1, c: 'a' }]), { features: f });
    expect(acc.add(['abc', 'a'], undefined)).toBe(false);
    expect(acc.add([1], undefined)).toBe(false);
    expect(acc.add(['1', 'a'], undefined)).toBe(true);
    const r = acc.result();
    expect(r).toMatchObject({ sampleCount: 1, malformedRecords: 2 });
    expect(r.features[1]!.count).toBe(1);
  });

  it('computes prediction PSI and fairness across the sensitive attribute', () => {
    const f: FeatureSpec[] = [{ name: 'g', type: 'categorical' }];
    const train = [
      ...Array.from({ length: 100 }, (_, i) => ({ g: 'F', y: i < 20 ? 1 : 0 })),
      ...Array.from({ length: 100 }, (_, i) => ({ g: 'M', y: i < 20 ? 1 : 0 })),
    ];
    const base = baselineOf(f, train, { predictionColumn: 'y', sensitiveAttribute: 'g' });
    const acc = new DriftAccumulator(base, { features: f, minGroupSize: 10 });
    for (let i = 0; i < 100; i++) acc.add(['F'], i < 10 ? '1' : '0');
    for (let i = 0; i < 100; i++) acc.add(['M'], i < 40 ? '1.0' : '0');
    const r = acc.result();
    expect(r.groups).toEqual([
      { group: 'F', count: 100, positives: 10 },
      { group: 'M', count: 100, positives: 40 },
    ]);
    expect(r.demographicParityDifference).toBeCloseTo(0.3, 12);
    expect(r.disparateImpactRatio).toBeCloseTo(0.25, 12);
    expect(r.predictionPsi).toBeCloseTo(psi([0.8, 0.2, 0], [150, 50, 0]), 12);
  });

  it('publishes no fairness figure for a single group, and no disparate impact without positives', () => {
    const f: FeatureSpec[] = [{ name: 'g', type: 'categorical' }];
    const base = baselineOf(
      f,
      [
        { g: 'F', y: 1 },
        { g: 'M', y: 0 },
      ],
      { predictionColumn: 'y', sensitiveAttribute: 'g' },
    );
    const single = new DriftAccumulator(base, { features: f, minGroupSize: 1 });
    single.add(['F'], 1);
    expect(single.result()).not.toHaveProperty('disparateImpactRatio');
    expect(single.result()).not.toHaveProperty('demographicParityDifference');
    const none = new DriftAccumulator(base, { features: f, minGroupSize: 1 });
    none.add(['F'], 0);
    none.add(['M'], 0);
    expect(none.result().demographicParityDifference).toBe(0);
    expect(none.result()).not.toHaveProperty('disparateImpactRatio');
  });

  it('counts a CSV row read in place (addCsvRow) exactly as add(row.split(",")) counts it, odd rows included', () => {
    // GIVEN a baseline with numeric and categorical features, a categorical prediction and a sensitive attribute
    const rng = makeRng(11);
    const f: FeatureSpec[] = [
      { name: 'x', type: 'numeric' },
      { name: 'c', type: 'categorical' },
      { name: 'y', type: 'numeric' },
    ];
    const rows = Array.from({ length: 500 }, () => ({
      x: Math.round(rng() * 1000) / 100,
      c: ['a', 'b', '1.0', 'z'][Math.floor(rng() * 4)],
      y: Math.floor(rng() * 20) - 10,
      label: rng() < 0.3 ? 1 : 0,
    }));
    const baseline = baselineOf(f, rows, { predictionColumn: 'label', sensitiveAttribute: 'c' });
    const odd = [
      '',
      ',',
      ',,',
      ',,,',
      '1,a',
      '1,a,2,3',
      ' 1,a,2',
      '1, a ,2',
      '1,,2',
      ',a,',
      '0x10,a,1',
      '1,a,Infinity',
    ];
    odd.push(
      '1e999,a,1',
      '1e3,b,-0',
      '-0,1,+5',
      '1.,1.0,.5',
      '.,a,1',
      '1,a,1234567890123456789',
      '+,a,1',
      '1,__other__,1',
    );
    odd.push('1,a,0.1', '99999999999999.9,b,-7', '1,\u00a0a,2', '1,a,2\u2028', '1,"a",2');
    const candidates = [...odd];
    for (let i = 0; i < 3000; i++) {
      const x = String(Math.round(rng() * 1e6) / 10 ** Math.floor(rng() * 8));
      const c = ['a', 'b', '1', '1.0', ' b', 'new', '', 'c' + Math.floor(rng() * 2000)][Math.floor(rng() * 8)];
      candidates.push(`${rng() < 0.05 ? '' : x},${c},${Math.floor(rng() * 40) - 20}`);
    }
    const predictions = ['1', '0', '', ' 1', '1.0', 'x', '2', '0'];
    const viaAdd = new DriftAccumulator(baseline, { features: f });
    const inPlace = new DriftAccumulator(baseline, { features: f });
    // WHEN both read every row (and a second pass, once the key caches are warm)
    for (let pass = 0; pass < 2; pass++)
      candidates.forEach((row, i) => {
        const p = predictions[i % predictions.length];
        expect(inPlace.addCsvRow(row, p)).toBe(viaAdd.add(row.split(','), p));
      });
    // THEN every count, malformed reason and statistic is identical
    expect(JSON.stringify(inPlace.snapshot())).toBe(JSON.stringify(viaAdd.snapshot()));
    expect(JSON.stringify(inPlace.result())).toBe(JSON.stringify(viaAdd.result()));
    expect(inPlace.result().malformedRecords).toBeGreaterThan(0);
  });

  it('holds the same state whatever the number of records', () => {
    // GIVEN 20 features, numeric and categorical, and records full of categories the baseline never saw
    const f: FeatureSpec[] = Array.from({ length: 20 }, (_, i) => ({
      name: `f${i}`,
      type: i % 2 ? 'categorical' : 'numeric',
    }));
    const rng = makeRng(5);
    const row = (unseen: boolean) =>
      f.map((x) =>
        x.type === 'numeric' ? rng() * 100 : unseen ? `new-${Math.floor(rng() * 1e9)}` : `c${Math.floor(rng() * 10)}`,
      );
    const base = baselineOf(
      f,
      Array.from({ length: 500 }, () => Object.fromEntries(f.map((x, i) => [x.name, row(false)[i]]))),
    );
    const acc = new DriftAccumulator(base, { features: f });
    const before = acc.stateSize();
    // WHEN 1,000 then 50,000 more records go in
    for (let i = 0; i < 1000; i++) acc.add(row(true), undefined);
    const after1k = acc.stateSize();
    for (let i = 0; i < 50_000; i++) acc.add(row(true), undefined);
    // THEN the state did not grow
    expect(after1k).toBe(before);
    expect(acc.stateSize()).toBe(before);
    expect(acc.sampleCount).toBe(51_000);
  });

  it('rejects config features the baseline lacks or types it disagrees on', () => {
    const base = baselineOf([{ name: 'x', type: 'numeric' }], [{ x: 1 }]);
    expect(() => new DriftAccumulator(base, { features: [{ name: 'y', type: 'numeric' }] })).toThrow(
      /feature "y" is not in the baseline \[x\]/,
    );
    expect(() => new DriftAccumulator(base, { features: [{ name: 'x', type: 'categorical' }] })).toThrow(
      /"x" is categorical in the config but numeric in the baseline/,
    );
  });
});
