import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBaselineCli } from '../../bin/baseline';
import {
  TRAINING_RECORDS,
  TRAINING_SEED,
  trainingCsvHeader,
  trainingCsvRow,
  trainingRecords,
  writeTrainingCsv,
  exampleBaselineArgs,
} from '../../scripts/make-example-data';
import { parseFeatureSpec } from '../../core/contracts/drift-detector';
import { BaselineBuilder } from '../../lib/baseline/builder';
import { OTHER, validateBaseline } from '../../core/contracts/baseline';
import { RecordError, binIndex, predictionKey } from '../../core/contracts/baseline-values';

const source = { file: 'train.csv', sha256: 'x', format: 'csv' as const };
const meta = { createdAt: '2026-01-01T00:00:00.000Z', source };

describe('BaselineBuilder', () => {
  it('puts decile edges, -Inf/+Inf outer bins and 10% per bin for 1..100', () => {
    // GIVEN values 1..100
    const b = new BaselineBuilder({ features: [{ name: 'x', type: 'numeric' }] });
    for (let i = 1; i <= 100; i++) b.add({ x: String(i) });
    // WHEN
    const d = b.build(meta).features[0]!.distribution;
    // THEN type-1 deciles 10, 20, ..., 90; bins (-Inf,10], (10,20], ..., (90,+Inf)
    if (d.type !== 'numeric') throw new Error('numeric expected');
    expect(d.binEdges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    d.binProportions.forEach((p) => expect(p).toBeCloseTo(0.1, 14));
    expect(d.ks.exact).toBe(true);
    expect(d.ks.grid).toHaveLength(100);
    expect(d.ks.cdf[49]).toBeCloseTo(0.5, 14);
    expect(d.ks.left[49]).toBeCloseTo(0.49, 14);
    expect(d.mean).toBeCloseTo(50.5, 12);
  });

  it('collapses the edges of a constant feature into one', () => {
    const b = new BaselineBuilder({ features: [{ name: 'x', type: 'numeric' }] });
    for (let i = 0; i < 50; i++) b.add({ x: 7 });
    const d = b.build(meta).features[0]!.distribution;
    if (d.type !== 'numeric') throw new Error('numeric expected');
    expect(d.binEdges).toEqual([7]);
    expect(d.binProportions).toEqual([1, 0]);
    expect(d.ks).toMatchObject({ exact: true, grid: [7], cdf: [1], left: [0], maxCellMass: 0 });
  });

  it('uses a quantile grid and reports the KS bound when values are too many', () => {
    const b = new BaselineBuilder({ features: [{ name: 'x', type: 'numeric' }], ksGridPoints: 11 });
    for (let i = 0; i < 1000; i++) b.add({ x: i / 7 });
    const d = b.build(meta).features[0]!.distribution;
    if (d.type !== 'numeric') throw new Error('numeric expected');
    expect(d.ks.exact).toBe(false);
    expect(d.ks.grid.length).toBeLessThanOrEqual(11);
    expect(d.ks.maxCellMass).toBeGreaterThan(0);
    expect(d.ks.maxCellMass).toBeLessThanOrEqual(0.1);
  });

  it('keeps the top categories and an __other__ bucket', () => {
    const b = new BaselineBuilder({ features: [{ name: 'c', type: 'categorical' }], maxCategories: 2 });
    for (const [v, n] of [
      ['a', 5],
      ['b', 3],
      ['c', 2],
    ] as const)
      for (let i = 0; i < n; i++) b.add({ c: v });
    const d = b.build(meta).features[0]!.distribution;
    expect(d).toMatchObject({ type: 'categorical', categories: ['a', 'b', OTHER], proportions: [0.5, 0.3, 0.2] });
  });

  it('builds prediction and per-group positive rates', () => {
    const b = new BaselineBuilder({
      features: [{ name: 'g', type: 'categorical' }],
      predictionColumn: 'y',
      sensitiveAttribute: 'g',
      positiveLabel: 1,
    });
    const rows: [string, string][] = [
      ['F', '1'],
      ['F', '0'],
      ['M', '1.0'],
      ['M', '1'],
      ['M', '0'],
      ['M', '0'],
    ];
    rows.forEach(([g, y]) => b.add({ g, y }));
    const doc = b.build(meta);
    expect(doc.prediction?.distribution).toMatchObject({
      type: 'categorical',
      categories: ['0', '1', OTHER],
      proportions: [0.5, 0.5, 0],
    });
    expect(doc.fairness?.groups).toEqual([
      { group: 'F', count: 2, positives: 1, positiveRate: 0.5 },
      { group: 'M', count: 4, positives: 2, positiveRate: 0.5 },
    ]);
    expect(doc.fairness?.disparateImpactRatio).toBe(1);
  });

  it('rejects a record with an unreadable numeric value, naming the field', () => {
    const b = new BaselineBuilder({ features: [{ name: 'amount', type: 'numeric' }] });
    expect(() => b.add({ amount: 'abc' })).toThrow(RecordError);
    expect(() => b.add({ amount: 'abc' })).toThrow(/amount: "abc" is not a decimal number/);
    expect(b.skippedCount).toBe(2);
  });

  it('rejects a sensitive attribute that is not a feature', () => {
    expect(
      () =>
        new BaselineBuilder({
          features: [{ name: 'a', type: 'numeric' }],
          sensitiveAttribute: 'g',
          predictionColumn: 'y',
        }),
    ).toThrow(/sensitiveAttribute "g" must be one of the features \[a\]/);
  });
});

describe('value helpers', () => {
  it('binIndex counts edges strictly below x (right-closed bins)', () => {
    expect(binIndex([10, 20], 5)).toBe(0);
    expect(binIndex([10, 20], 10)).toBe(0);
    expect(binIndex([10, 20], 10.5)).toBe(1);
    expect(binIndex([10, 20], 21)).toBe(2);
  });

  it('predictionKey reads numeric strings as numbers', () => {
    expect(predictionKey('1.0')).toBe('1');
    expect(predictionKey(1)).toBe('1');
    expect(predictionKey(' fraud ')).toBe('fraud');
  });

  it('parseFeatureSpec rejects a bad entry naming it', () => {
    expect(parseFeatureSpec('a:numeric, b:categorical')).toEqual([
      { name: 'a', type: 'numeric' },
      { name: 'b', type: 'categorical' },
    ]);
    expect(() => parseFeatureSpec('a:number')).toThrow(/"a:number" must be name:numeric or name:categorical/);
  });
});

describe('bin/baseline.ts CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-cli-'));
  const csv = join(dir, 'train.csv');
  writeFileSync(csv, `${trainingCsvHeader()}\n${trainingRecords(500, 7).map(trainingCsvRow).join('\n')}\nnot,enough\n`);

  it('builds a baseline from CSV with flags, hashing the file and counting bad lines', async () => {
    const err: string[] = [];
    const out = join(dir, 'b.json');
    const { document } = await runBaselineCli(
      [
        '--input',
        csv,
        '--features',
        'amount:numeric,merchant_category:categorical,gender:categorical',
        '--prediction-column',
        'label',
        '--sensitive-attribute',
        'gender',
        '--output',
        out,
      ],
      (s) => err.push(s),
    );
    expect(document.recordCount).toBe(500);
    expect(document.skippedRecords).toBe(1);
    expect(document.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(err.join('')).toMatch(/train\.csv:502: skipped: 2 fields, header has 5/);
    expect(validateBaseline(JSON.parse(readFileSync(out, 'utf8')), out).features.map((f) => f.name)).toEqual([
      'amount',
      'merchant_category',
      'gender',
    ]);
  });

  it('takes features from a config document with --config/--model and reads JSON Lines', async () => {
    const jsonl = join(dir, 'train.jsonl');
    writeFileSync(
      jsonl,
      trainingRecords(300, 8)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8'));
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify(cdkJson.context['mlops:defaultConfig']));
    const { document } = await runBaselineCli(
      [
        '--input',
        jsonl,
        '--config',
        cfg,
        '--model',
        'fraud-xgb',
        '--prediction-column',
        'label',
        '--output',
        join(dir, 'c.json'),
        '--quiet',
      ],
      () => undefined,
    );
    expect(document.features.map((f) => f.name)).toEqual(['amount', 'merchant_category', 'account_age_days', 'gender']);
    expect(document.fairness?.sensitiveAttribute).toBe('gender');
    expect(document.source.format).toBe('jsonl');
  });

  it('rejects a missing input, naming the flag and path', async () => {
    await expect(
      runBaselineCli(
        ['--input', join(dir, 'nope.csv'), '--features', 'a:numeric', '--output', join(dir, 'x.json')],
        () => undefined,
      ),
    ).rejects.toThrow(/--input .*nope\.csv: cannot read it \(ENOENT\)/);
  });

  it('rejects a header without the configured columns', async () => {
    await expect(
      runBaselineCli(
        ['--input', csv, '--features', 'income:numeric', '--output', join(dir, 'x.json')],
        () => undefined,
      ),
    ).rejects.toThrow(/lacks column\(s\) income/);
  });

  it('rejects an unknown model in --config, listing the known ones', async () => {
    const cdkJson = join(__dirname, '../../cdk.json');
    await expect(
      runBaselineCli(
        ['--input', csv, '--config', cdkJson, '--model', 'nope', '--output', join(dir, 'x.json')],
        () => undefined,
      ),
    ).rejects.toThrow(/--model "nope" is not in .*models there: fraud-xgb/);
  });
});

describe('committed example baseline', () => {
  it('is valid and covers the default model features in config order', () => {
    const file = join(__dirname, '../../baselines/fraud-xgb.json');
    const doc = validateBaseline(JSON.parse(readFileSync(file, 'utf8')), file);
    expect(doc.features.map((f) => `${f.name}:${f.distribution.type}`)).toEqual([
      'amount:numeric',
      'merchant_category:categorical',
      'account_age_days:numeric',
      'gender:categorical',
    ]);
    expect(doc.fairness?.sensitiveAttribute).toBe('gender');
  });

  it('is exactly what scripts/make-example-data.ts regenerates (seeded, SOURCE_DATE_EPOCH)', async () => {
    // GIVEN the generator's default training set
    const dir = mkdtempSync(join(tmpdir(), 'baseline-regen-'));
    const train = join(dir, 'train.csv');
    await writeTrainingCsv(train, TRAINING_RECORDS, TRAINING_SEED);
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1767225600';
    try {
      // WHEN the baseline is rebuilt the way the script does it
      const out = join(dir, 'b.json');
      await runBaselineCli(
        [...exampleBaselineArgs(train, out, TRAINING_RECORDS, TRAINING_SEED), '--quiet'],
        () => undefined,
      );
      // THEN it is byte for byte the committed file
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(__dirname, '../../baselines/fraud-xgb.json'), 'utf8'));
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
  });
});
