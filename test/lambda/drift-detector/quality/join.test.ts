/**
 * Ground truth joined to the prediction ledger: every label joined or counted by reason, exactly; the metrics of the
 * join equal scikit-learn's on the same labels and predictions.
 */
import { Readable } from 'node:stream';
import { LedgerEntry, QualitySettings, qualitySettings } from '../../../../core/contracts/quality';
import { parseGroundTruthLine } from '../../../../lambda/drift-detector/quality/ground-truth';
import { QualityJoin } from '../../../../lambda/drift-detector/quality/join';
import {
  LedgerSkipReason,
  ledgerEntriesOfCaptureLine,
  parseLedger,
  serializeLedger,
} from '../../../../lambda/drift-detector/quality/ledger';
import { readCaptureIntoLedger, readGroundTruthIntoJoin } from '../../../../lambda/drift-detector/quality/streams';
import {
  FRAUD_FEATURES,
  exampleEventId,
  groundTruthLine,
  groundTruthText,
  scoredCaptureText,
  trainingRecords,
} from '../../../../scripts/make-example-data';
import { sklearnReference } from '../../../support/sklearn';

const SETTINGS = qualitySettings({ minGroupSize: 30, minLabelled: 10 });
const OPTS = { settings: SETTINGS, features: FRAUD_FEATURES, sensitiveIndex: 3 };

function ledgerOf(text: string, settings: QualitySettings = SETTINGS) {
  const entries: LedgerEntry[] = [];
  const skipped: Partial<Record<LedgerSkipReason, number>> = {};
  const sink = {
    entry: (e: LedgerEntry) => entries.push(e),
    skipped: (n: number, reason: LedgerSkipReason) => (skipped[reason] = (skipped[reason] ?? 0) + n),
  };
  text
    .split('\n')
    .filter((l) => l !== '')
    .forEach((l, i) => ledgerEntriesOfCaptureLine(l, i + 1, { ...OPTS, settings }, sink));
  return { entries, skipped };
}

function capture(eventMetadata: object, output: object, input = '10,grocery,100,F'): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding: 'CSV' },
      endpointOutput: { mode: 'OUTPUT', ...output },
    },
    eventMetadata,
    eventVersion: '0',
  });
}
const json = (doc: unknown) => ({
  observedContentType: 'application/json',
  data: JSON.stringify(doc),
  encoding: 'JSON',
});
/** One invocation of two rows (F then M), event e1, predicted 1 (0.9) and 0 (0.1). */
const MULTI_ROW_CAPTURE = capture(
  { eventId: 'e1' },
  json({
    predictions: [
      { label: 1, score: 0.9 },
      { label: 0, score: 0.1 },
    ],
  }),
  '10,grocery,100,F\n20,fuel,5,M',
);

describe('prediction ledger', () => {
  it('keeps the join key, label, score and group only (data minimisation)', () => {
    // GIVEN a capture record of the reference model (label and score)
    const { entries } = ledgerOf(scoredCaptureText(trainingRecords(1, 7)));
    // THEN
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0]!).sort()).toEqual(['g', 'id', 'p', 's', 't']);
    expect(entries[0]!.id).toBe(exampleEventId(0));
  });

  it('keys by eventMetadata.inferenceId when the caller set one, else by eventId', () => {
    const { entries } = ledgerOf(
      [
        capture({ eventId: 'e1', inferenceId: 'order-17' }, json({ predictions: [{ label: 1, score: 0.8 }] })),
        capture({ eventId: 'e2' }, json({ predictions: [{ label: 0, score: 0.2 }] })),
      ].join('\n'),
    );
    expect(entries.map((e) => e.id)).toEqual(['order-17', 'e2']);
  });

  it('keys the rows of a multi-row invocation <id>#<row>', () => {
    const { entries } = ledgerOf(MULTI_ROW_CAPTURE);
    expect(entries.map((e) => [e.id, e.p, e.g])).toEqual([
      ['e1#0', 1, 'F'],
      ['e1#1', 0, 'M'],
    ]);
  });

  it('reads labels from CSV output, scores alone at the decision threshold, and names the field read', () => {
    const { entries } = ledgerOf(
      [
        capture({ eventId: 'a' }, { observedContentType: 'text/csv', data: '1\n', encoding: 'CSV' }),
        capture({ eventId: 'b' }, json({ predictions: [{ probability: 0.7 }] })),
        capture({ eventId: 'c' }, json({ predictions: [0.2] })),
        capture({ eventId: 'd' }, json({ predicted_label: '0', score: 0.4 })),
      ].join('\n'),
    );
    expect(entries.map((e) => [e.id, e.p, e.s])).toEqual([
      ['a', 1, undefined],
      ['b', 1, 0.7],
      ['c', 0, 0.2],
      ['d', 0, 0.4],
    ]);
  });

  it('counts rows it cannot use by reason, never drops them silently', () => {
    const { entries, skipped } = ledgerOf(
      [
        'not json',
        capture({}, json({ predictions: [1] })),
        JSON.stringify({
          captureData: { endpointInput: { data: '1,a,2,F', encoding: 'CSV' } },
          eventMetadata: { eventId: 'x' },
        }),
        capture({ eventId: 'y' }, json({ predictions: ['fraud'] })),
        capture({ eventId: 'z' }, json({ predictions: [1] }), '10,grocery,100,'),
      ].join('\n'),
    );
    expect(entries).toEqual([]);
    expect(skipped).toEqual({ 'invalid-line': 1, 'no-id': 1, 'no-output': 1, 'invalid-prediction': 1, 'no-group': 1 });
  });

  it('round-trips through its JSON Lines form', () => {
    const { entries } = ledgerOf(scoredCaptureText(trainingRecords(50, 8)));
    expect(parseLedger(serializeLedger(entries), 'ledger.jsonl')).toEqual(entries);
    expect(() => parseLedger('{"x":1}\n', 'ledger.jsonl')).toThrow(/ledger.jsonl line 1 is not a ledger entry/);
  });
});

describe('ground-truth lines', () => {
  it.each([
    [
      'CSV',
      '{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"a"},"eventVersion":"0"}',
      ['1'],
    ],
    ['JSON value', '{"groundTruthData":{"data":"0","encoding":"JSON"},"eventMetadata":{"eventId":"a"}}', ['0']],
    [
      'JSON object',
      '{"groundTruthData":{"data":"{\\"label\\":1}","encoding":"JSON"},"eventMetadata":{"eventId":"a"}}',
      ['1'],
    ],
    [
      'BASE64',
      `{"groundTruthData":{"data":"${Buffer.from('1').toString('base64')}","encoding":"BASE64"},"eventMetadata":{"eventId":"a"}}`,
      ['1'],
    ],
    [
      'CSV of rows',
      '{"groundTruthData":{"data":"1,0,1","encoding":"CSV"},"eventMetadata":{"eventId":"a"}}',
      ['1', '0', '1'],
    ],
  ])('reads %s', (_name, line, labels) => {
    expect(parseGroundTruthLine(line)).toEqual({ ok: true, id: 'a', labels });
  });

  it.each([
    ['not JSON', 'id,label', /not JSON/],
    ['no eventId', '{"groundTruthData":{"data":"1"},"eventMetadata":{}}', /eventMetadata.eventId is missing/],
    ['a CSV label file', 'event-1,1', /not JSON/],
    ['no data', '{"groundTruthData":{},"eventMetadata":{"eventId":"a"}}', /groundTruthData.data is missing/],
    [
      'unknown encoding',
      '{"groundTruthData":{"data":"1","encoding":"XML"},"eventMetadata":{"eventId":"a"}}',
      /not CSV, JSON or BASE64/,
    ],
  ])('rejects %s with the expected format in the message', (_name, line, why) => {
    const read = parseGroundTruthLine(line);
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.message).toMatch(why);
      expect(read.message).toMatch(/expected SageMaker's ground-truth format/);
    }
  });
});

describe('join', () => {
  async function joined(captureText: string, groundTruth: string, settings = SETTINGS, arrivedAt?: number) {
    const join = new QualityJoin(settings);
    await readCaptureIntoLedger(
      Readable.from([captureText]),
      { ...OPTS, settings },
      {
        entry: (e) => join.addPrediction(e),
        skipped: () => undefined,
      },
    );
    await readGroundTruthIntoJoin(Readable.from([groundTruth]), 'gt.jsonl', join, arrivedAt);
    return join.result();
  }

  it('joins 3,000 records, counts every unmatched label by reason, and equals scikit-learn', async () => {
    // GIVEN the reference model's traffic, its labels (10% never arrive) and 8 bad labels of four kinds
    const records = trainingRecords(3000, 11);
    const gt = groundTruthText(records, 12);
    const bad = [
      groundTruthLine('no-such-inference', 1),
      groundTruthLine('another-unknown', 0),
      groundTruthLine(exampleEventId(0), 1),
      groundTruthLine(exampleEventId(1), 0),
      groundTruthLine(exampleEventId(2), 1),
      '{"broken json',
      '{"label": 1}',
      groundTruthLine(exampleEventId(2999), 'yes'),
    ];
    const gtLines = gt.trim().split('\n');
    const labelledIds = new Set(gtLines.map((l) => (JSON.parse(l) as any).eventMetadata.eventId as string));
    // The duplicates above only count as duplicates for ids that have a label already.
    const duplicates = [0, 1, 2].filter((i) => labelledIds.has(exampleEventId(i))).length;
    const invalid2999 = labelledIds.has(exampleEventId(2999)) ? 0 : 1;
    // WHEN
    const q = await joined(scoredCaptureText(records), gt + bad.join('\n') + '\n');
    // THEN the counts are exact
    expect(q.labelled).toBe(labelledIds.size + 3 - duplicates);
    expect(q.unmatchedLabelsByReason).toEqual({
      'unknown-id': 2,
      expired: 0,
      duplicate: duplicates,
      unreadable: 2,
      'invalid-label': invalid2999,
    });
    expect(q.unmatchedLabels).toBe(2 + duplicates + 2 + invalid2999);
    expect(q.predictionsWithoutLabel).toBe(3000 - q.labelled);
    expect(q.unmatchedLabelExamples.unreadable).toMatch(/^gt.jsonl:\d+: the line is not JSON/);
    // AND the metrics are scikit-learn's on the joined labels
    const truthById = new Map<string, number>();
    for (const l of [...gtLines, ...bad]) {
      const r = parseGroundTruthLine(l);
      if (r.ok && /^[01]$/.test(r.labels[0]!) && !truthById.has(r.id)) truthById.set(r.id, Number(r.labels[0]));
    }
    const idx = records.map((_, i) => i).filter((i) => truthById.has(exampleEventId(i)));
    const [ref] = sklearnReference([
      {
        kind: 'binary',
        truth: idx.map((i) => truthById.get(exampleEventId(i))!),
        predicted: idx.map((i) => records[i]!.label),
        scores: idx.map((i) => records[i]!.score),
        groups: idx.map((i) => records[i]!.gender),
      },
    ]);
    for (const key of ['accuracy', 'precision', 'recall', 'f1', 'falsePositiveRate', 'rocAuc'])
      expect(Math.abs((q.metrics![key] as number) - ref![key])).toBeLessThanOrEqual(1e-12);
    // X (2% of 2,700) is under minGroupSize 30? It holds about 54: judged. F and M surely.
    for (const [g, rates] of Object.entries(q.groups))
      for (const key of ['count', 'truePositiveRate', 'falsePositiveRate', 'precision', 'accuracy'] as const)
        expect(Math.abs(rates[key] - ref!.groups[g][key])).toBeLessThanOrEqual(1e-12);
    expect(Object.keys(q.groups).length + Object.keys(q.excludedGroups).length).toBe(Object.keys(ref!.groups).length);
  });

  it('leaves groups under minGroupSize out and counts them', async () => {
    const records = trainingRecords(1000, 13);
    const q = await joined(scoredCaptureText(records), groundTruthText(records, 14, { missingShare: 0 }), {
      ...SETTINGS,
      minGroupSize: 100,
    });
    expect(Object.keys(q.groups)).toEqual(['F', 'M']);
    expect(q.excludedGroups.X).toBe(records.filter((r) => r.gender === 'X').length);
    expect(q.fairness).not.toBeNull();
  });

  it('joins the labels of a multi-row invocation row by row', async () => {
    const q = await joined(`${MULTI_ROW_CAPTURE}\n`, `${groundTruthLine('e1', '1,1')}\n`, {
      ...SETTINGS,
      minLabelled: 2,
    });
    expect(q.labelled).toBe(2);
    expect(q.metrics?.recall).toBe(0.5);
  });

  it('counts labels later than maxLabelDelayHours as expired', async () => {
    const records = trainingRecords(20, 15);
    // GIVEN labels arriving 8 days after the captures (2026-01-01), the limit being 7 days
    const q = await joined(
      scoredCaptureText(records),
      groundTruthText(records, 16, { missingShare: 0 }),
      SETTINGS,
      Date.UTC(2026, 0, 9),
    );
    expect(q.labelled).toBe(0);
    expect(q.unmatchedLabelsByReason.expired).toBe(20);
    expect(q.unmatchedLabelExamples.expired).toMatch(
      /192\.0 h after its prediction, later than maxLabelDelayHours 168/,
    );
  });

  it('computes nothing from fewer than minLabelled labelled records', async () => {
    const records = trainingRecords(5, 17);
    const q = await joined(scoredCaptureText(records), groundTruthText(records, 18, { missingShare: 0 }));
    expect(q).toMatchObject({ labelled: 5, judged: false, metrics: null, fairness: null, minLabelled: 10 });
  });

  it('names the file, line and fix of a label that is not 0/1 for a binary model', async () => {
    const records = trainingRecords(3, 19);
    const q = await joined(scoredCaptureText(records), `${groundTruthLine(exampleEventId(1), 'fraud')}\n`);
    expect(q.unmatchedLabelsByReason['invalid-label']).toBe(1);
    expect(q.unmatchedLabelExamples['invalid-label']).toMatch(
      /^gt.jsonl:1: label "fraud" for ".*": a binary model's label must be 1 \(positive\) or 0 \(negative\); set monitoring.positiveLabel/,
    );
  });

  it('judges a regression model with MAE, RMSE and R2 equal to scikit-learn', async () => {
    // GIVEN predicted values and numeric labels
    const settings = qualitySettings({ problemType: 'regression', minGroupSize: 1, minLabelled: 2 });
    const preds = [3.5, 10.25, 7, 1e3];
    const truth = [3, 12, 6.5, 990];
    const captures = preds.map((p, i) => capture({ eventId: `r${i}` }, json({ predictions: [p] }))).join('\n');
    const labels = truth.map((t, i) => groundTruthLine(`r${i}`, t)).join('\n');
    // WHEN
    const join = new QualityJoin(settings);
    await readCaptureIntoLedger(
      Readable.from([captures]),
      { settings, features: FRAUD_FEATURES },
      {
        entry: (e) => join.addPrediction(e),
        skipped: () => undefined,
      },
    );
    await readGroundTruthIntoJoin(Readable.from([labels]), 'gt.jsonl', join);
    const q = join.result();
    // THEN
    const [ref] = sklearnReference([{ kind: 'regression', truth, predicted: preds }]);
    for (const key of ['mae', 'rmse', 'r2'])
      expect(Math.abs((q.metrics![key] as number) - ref![key])).toBeLessThanOrEqual(1e-12);
  });

  it('judges metrics against reference values and fairness against limits', async () => {
    const records = trainingRecords(2000, 20);
    const q = await joined(scoredCaptureText(records), groundTruthText(records, 21), {
      ...SETTINGS,
      reference: { accuracy: 0.99, rocAuc: 0.5 },
      tolerance: { accuracy: 0.01 },
      fairnessMax: { equalOpportunityDifference: 0 },
    });
    expect(q.verdicts.find((v) => v.metric === 'accuracy')?.status).toBe('dropped');
    expect(q.verdicts.find((v) => v.metric === 'rocAuc')?.status).toBe('ok');
    expect(q.verdicts.find((v) => v.metric === 'equalOpportunityDifference')?.status).toBe('unfair');
  });
});
