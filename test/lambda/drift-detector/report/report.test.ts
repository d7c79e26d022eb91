/** The report model and its HTML/SVG/JSON rendering: pure code, no mocks. */
import { DriftAccumulator, accumulatorSink } from '../../../../lambda/drift-detector/accumulator';
import { renderDriftReportHtml, renderDriftReportJson } from '../../../../lambda/drift-detector/report/html';
import { DriftReport, buildDriftReport } from '../../../../lambda/drift-detector/report/model';
import { barChart, escapeXml } from '../../../../lambda/drift-detector/report/svg';
import { MAX_REASONS, OTHER_REASONS, ReportWindow } from '../../../../lambda/drift-detector/report/window';
import { parseThresholds, pickThresholds } from '../../../../core/contracts/drift-report';
import { ThresholdsSchema } from '../../../../lib/config/schema';
import { FeatureSpec } from '../../../../core/contracts/drift-detector';
import { BaselineBuilder } from '../../../../lib/baseline/builder';
import { BaselineDocument } from '../../../../core/contracts/baseline';

const HOSTILE = '<img src=x onerror=alert(1)>';
const FEATURES: FeatureSpec[] = [
  { name: 'amount', type: 'numeric' },
  { name: 'channel', type: 'categorical' },
  { name: 'group', type: 'categorical' },
];
/** The config's default thresholds, judging windows from 50 records. */
const THRESHOLDS = { ...pickThresholds(ThresholdsSchema.parse({})), minSamples: 50 };

/** channel keeps two categories (web, app); the hostile name is a kept group of the sensitive attribute. */
function baseline(): BaselineDocument {
  const b = new BaselineBuilder({
    features: FEATURES,
    predictionColumn: 'y',
    sensitiveAttribute: 'group',
    maxCategories: 2,
  });
  for (let i = 0; i < 1000; i++) {
    b.add({
      amount: i % 100,
      channel: i % 10 < 5 ? 'web' : i % 10 < 9 ? 'app' : i % 20 === 9 ? 'phone' : '',
      group: i % 2 ? 'A' : HOSTILE,
      y: i % 3 === 0 ? 1 : 0,
    });
  }
  return b.build({ createdAt: '2026-01-01T00:00:00Z', source: { file: 'train.csv', sha256: 'abc', format: 'csv' } });
}

function window(
  rows: [number | string, string, string, number][],
  opts: { minGroupSize?: number; malformed?: [number, string][] } = {},
) {
  const base = baseline();
  const acc = new DriftAccumulator(base, { features: FEATURES, minGroupSize: opts.minGroupSize ?? 10 });
  const w = new ReportWindow();
  const sink = w.tap(accumulatorSink(acc), acc, FEATURES);
  rows.forEach((r, i) => {
    sink.record(r.slice(0, -1), r[r.length - 1]);
    sink.inferenceTime?.(new Date(Date.UTC(2026, 0, 2, 0, 0, i)).toISOString());
  });
  for (const [n, reason] of opts.malformed ?? []) sink.malformed(n, reason, 1, 'bad-payload');
  const result = acc.result();
  const report = buildDriftReport({
    baseline: base,
    baselineFile: { file: 'baseline.json', sha256: 'f00' },
    result,
    counts: acc.counts(),
    window: w,
    thresholds: THRESHOLDS,
    captures: ['c.jsonl'],
    generatedAt: new Date('2026-01-02T01:00:00Z'),
  });
  return { result, report };
}

/** 200 drifted rows: large amounts, channel moved to phone and missing, group B unseen; group A gets no positives. */
function drifted() {
  const rows: [number | string, string, string, number][] = [];
  for (let i = 0; i < 200; i++)
    rows.push([
      80 + (i % 20),
      i % 4 === 0 ? '' : i % 4 === 1 ? 'phone' : 'web',
      i % 2 ? 'A' : i < 10 ? 'B' : HOSTILE,
      i % 2 ? 0 : 1,
    ]);
  return window(rows, { malformed: [[3, 'capture line is not valid JSON: Unexpected token']] });
}

describe('drift report model', () => {
  it("carries the accumulator's own statistics, ranks features by PSI and judges every threshold", () => {
    const { result, report } = drifted();
    expect(report.summary.sampleCount).toBe(result.sampleCount);
    expect(report.summary.malformedRecords).toBe(result.malformedRecords);
    report.features.forEach((f, i) => {
      expect(f.psi).toBe(result.features[i]?.psi);
      expect(f.jsDistance).toBe(result.features[i]?.jsDistance);
      expect(f.ks).toBe(result.features[i]?.ks);
    });
    expect(report.prediction?.psi).toBe(result.predictionPsi);
    expect(report.fairness?.disparateImpactRatio).toBe(result.disparateImpactRatio);
    expect(report.summary.ranking.map((r) => r.psi)).toEqual(
      [...result.features.map((f) => f.psi)].sort((a, b) => (b as number) - (a as number)),
    );
    expect(report.summary.drifted).toBe(true);
    const amountPsi = report.summary.verdicts.find((v) => v.metric === 'FeaturePSI' && v.subject === 'amount');
    expect(amountPsi).toMatchObject({ status: 'drift', threshold: 0.2, direction: 'above' });
    const di = report.summary.verdicts.find((v) => v.metric === 'DisparateImpactRatio');
    expect(di).toMatchObject({ status: 'drift', value: 0, direction: 'below' });
  });

  it('counts skipped records with reasons that add up to MalformedRecords', () => {
    const { report } = window([[1, 'web', 'A', 1], ['lots', 'web', 'A', 1], [2, 'web', 'A', 'extra', 1] as never], {
      malformed: [[3, 'endpointInput.data is not valid JSON: at position 4\nsecond line']],
    });
    expect(report.summary.malformedRecords).toBe(5);
    expect(report.summary.skipped).toEqual([
      { reason: 'endpointInput.data is not valid JSON: at position 4', count: 3 },
      { reason: 'feature "amount" has a value that is not a number', count: 1 },
      { reason: 'row has 4 value(s), the baseline has 3 feature(s)', count: 1 },
    ]);
  });

  it('shows __missing__ apart from __other__ while PSI keeps them together', () => {
    const { report } = drifted();
    const channel = report.features.find((f) => f.name === 'channel');
    expect(channel?.bars.map((b) => b.label)).toEqual(['web', 'app', '__other__', '__missing__']);
    // 50 missing and 50 phone (unseen: __other__) of 200
    expect(channel?.bars.find((b) => b.label === '__missing__')).toMatchObject({ live: 0.25, liveCount: 50 });
    expect(channel?.bars.find((b) => b.label === '__other__')).toMatchObject({ live: 0.25, liveCount: 50 });
    expect(channel?.bars.reduce((a, b) => a + b.baseline, 0)).toBeCloseTo(1, 12);
    expect(channel?.note).toMatch(/__missing__ is shown apart but counted with __other__ in PSI/);
  });

  it('lists fairness groups left out and why, and draws the four-fifths line from the highest rate', () => {
    const { report } = drifted();
    const f = report.fairness;
    expect(f?.groups.map((g) => g.group).sort()).toEqual(['A', HOSTILE].sort());
    expect(f?.excluded).toEqual([
      { group: '__other__', count: 5, reason: 'a mixture of categories the baseline did not keep, not one group' },
    ]);
    expect(f?.fourFifthsLine).toBeCloseTo(0.8 * 1, 12);
    const small = window(
      Array.from(
        { length: 60 },
        (_, i) => [i, 'web', i < 55 ? 'A' : HOSTILE, i % 2] as [number, string, string, number],
      ),
      { minGroupSize: 10 },
    ).report.fairness;
    expect(small?.excluded).toEqual([
      { group: HOSTILE, count: 5, reason: 'fewer than minGroupSize (10) records: too noisy to judge' },
    ]);
    expect(small?.verdicts[0]).toMatchObject({
      status: 'not-judged',
      reason: 'fewer than two groups of at least 10 records',
    });
  });

  it('judges nothing below minSamples', () => {
    const { report } = window([[1, 'web', 'A', 1]]);
    expect(report.summary.judged).toBe(false);
    expect(report.summary.drifted).toBe(false);
    expect(new Set(report.summary.verdicts.map((v) => v.status))).toEqual(new Set(['not-judged']));
    expect(report.summary.verdicts[0]?.reason).toMatch(/1 record\(s\) judged, fewer than minSamples \(50\)/);
  });

  it('keeps provenance: baseline hash, captures, the time range of the invocations', () => {
    const { report } = drifted();
    expect(report.provenance).toMatchObject({
      baseline: {
        file: 'baseline.json',
        sha256: 'f00',
        trainingData: { file: 'train.csv', sha256: 'abc', records: 1000 },
      },
      captures: ['c.jsonl'],
      timeRange: { from: '2026-01-02T00:00:00.000Z', to: '2026-01-02T00:03:19.000Z' },
      tool: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      generatedAt: '2026-01-02T01:00:00.000Z',
    });
  });
});

describe('report window', () => {
  it('keeps at most MAX_REASONS distinct reasons and counts the rest together', () => {
    const w = new ReportWindow();
    for (let i = 0; i < MAX_REASONS + 5; i++) w.skip(`reason ${i}`, 2);
    const reasons = w.skipReasons();
    expect(reasons).toHaveLength(MAX_REASONS + 1);
    expect(reasons.find((r) => r.reason === OTHER_REASONS)?.count).toBe(10);
    expect(reasons.reduce((a, r) => a + r.count, 0)).toBe(2 * (MAX_REASONS + 5));
  });

  it('ignores inference times that are not times', () => {
    const w = new ReportWindow();
    w.seen('yesterday');
    w.seen(42);
    expect(w.timeRange()).toBeUndefined();
  });
});

describe('drift report rendering', () => {
  const { report } = drifted();
  const html = renderDriftReportHtml(report);

  it('is one self-contained page: a CSP that forbids fetches and no external reference', () => {
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    const refs = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.every((r) => r?.startsWith('#'))).toBe(true);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it('escapes names that come from data', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(escapeXml(HOSTILE));
  });

  it('draws one chart per feature, one for the prediction and one for fairness, two bars per slot', () => {
    expect(html.match(/data-chart="feature"/g)).toHaveLength(report.features.length);
    expect(html.match(/data-chart="prediction"/g)).toHaveLength(1);
    expect(html.match(/data-chart="fairness"/g)).toHaveLength(1);
    const slots = report.features.reduce((a, f) => a + f.bars.length, 0) + (report.prediction?.bars.length ?? 0);
    expect(html.match(/class="mark /g)).toHaveLength(2 * (slots + (report.fairness?.groups.length ?? 0)));
    expect(html).toContain('class="rule"');
  });

  it('writes the same content as JSON', () => {
    expect(JSON.parse(renderDriftReportJson(report)) as DriftReport).toEqual(report);
  });

  it('scales bars to the axis: the tallest value reaches the top of the plot', () => {
    const svg = barChart({
      kind: 'k',
      title: 't',
      categories: ['a', 'b'],
      series: [{ name: 's', cls: 'live', values: [0.4, 0.2] }],
      format: String,
    });
    const heights = [...svg.matchAll(/class="mark live"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([160, 80]);
  });
});

describe('thresholds contract', () => {
  it('parses the thresholds the construct writes', () => {
    expect(parseThresholds(JSON.stringify({ ...THRESHOLDS, latencyP99Ms: 5 }), 'X')).toEqual(THRESHOLDS);
  });
  it('rejects a negative or missing threshold, naming it', () => {
    expect(() => parseThresholds(JSON.stringify({ ...THRESHOLDS, psi: -1 }), 'X')).toThrow(
      'X.psi must be a number >= 0, got -1',
    );
    expect(() => parseThresholds('[]', 'X')).toThrow('X must be a JSON object of thresholds, got []');
  });
});

describe('drift report size', () => {
  it('stays far under 2 MB for 20 features at the widest baseline (50 categories each), whatever the records', () => {
    // GIVEN 10 numeric features and 10 categorical ones with 60 distinct values (50 kept + __other__ + __missing__)
    const features: FeatureSpec[] = Array.from({ length: 20 }, (_, i) =>
      i < 10
        ? { name: `numeric_feature_${i}`, type: 'numeric' }
        : { name: `categorical_feature_${i}`, type: 'categorical' },
    );
    const b = new BaselineBuilder({ features, predictionColumn: 'y', sensitiveAttribute: 'categorical_feature_10' });
    for (let r = 0; r < 3000; r++)
      b.add({
        ...Object.fromEntries(
          features.map((f, i) => [f.name, f.type === 'numeric' ? (r * (i + 1)) % 997 : `category-${r % 60}`]),
        ),
        y: r % 2,
      });
    const base = b.build({ createdAt: '2026-01-01T00:00:00Z', source: { file: 't', sha256: '-', format: 'csv' } });
    const sizeFor = (records: number) => {
      const acc = new DriftAccumulator(base, { features, minGroupSize: 1 });
      const w = new ReportWindow();
      const sink = w.tap(accumulatorSink(acc), acc, features);
      for (let r = 0; r < records; r++)
        sink.record(
          features.map((f, i) => (f.type === 'numeric' ? (r * 7 * (i + 1)) % 1200 : `category-${r % 75}`)),
          r % 3 ? 0 : 1,
        );
      const report = buildDriftReport({
        baseline: base,
        baselineFile: { file: 'b', sha256: '-' },
        result: acc.result(),
        counts: acc.counts(),
        window: w,
        thresholds: THRESHOLDS,
        captures: ['c'],
        generatedAt: new Date(0),
      });
      return {
        html: Buffer.byteLength(renderDriftReportHtml(report)),
        json: Buffer.byteLength(renderDriftReportJson(report)),
      };
    };
    // WHEN the same baseline judges 1,000 and 20,000 records
    const small = sizeFor(1000);
    const large = sizeFor(20_000);
    // THEN both are under 2 MB, and twenty times the records adds (almost) nothing: counts, not records, are kept
    expect(large.html).toBeLessThan(2 * 2 ** 20);
    expect(large.json).toBeLessThan(2 * 2 ** 20);
    expect(Math.abs(large.html - small.html) / small.html).toBeLessThan(0.02);
  });
});
