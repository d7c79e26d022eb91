/**
 * The run-time quality path on moto_server, with the real handler and real S3/KMS clients: captured predictions ->
 * the detector judges them and writes the window's prediction ledger (SSE-KMS, the capture key) -> a ground-truth
 * file for those inferences lands under the model's ground-truth prefix -> the join publishes quality metrics equal
 * to scikit-learn's on the same labels and predictions, and counts every label that joined nothing by reason ->
 * the hourly tick publishes the hours since labels last arrived (the "labels stopped" alarm's input).
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/drift-detector/handler';
import { readConfig } from '../../lambda/drift-detector/settings';
import { makeBaselineLoader } from '../../lambda/drift-detector/baseline-loader';
import { parseLedger } from '../../lambda/drift-detector/quality/ledger';
import { DRIFT_DETECTOR_ENV } from '../../core/contracts/drift-detector';
import { DRIFT_REPORT_ENV, DRIFT_THRESHOLD_DEFAULTS, pickThresholds } from '../../core/contracts/drift-report';
import { QUALITY_METRIC_NAMES } from '../../core/contracts/drift-metrics';
import {
  CLASSIFICATION_METRIC_KEYS,
  LedgerEntry,
  groundTruthPrefix,
  ledgerPrefix,
  qualitySettings,
} from '../../core/contracts/quality';
import {
  captureLine,
  exampleEventId,
  groundTruthLine,
  groundTruthText,
  trainingRecords,
} from '../../scripts/make-example-data';
import { useMoto } from '../support/aws-env';
import { captureKey, createDriftBuckets, fraudDetectorEnv, objectCreated } from '../support/drift-fixtures';
import { EmfSink } from '../support/emf-sink';
import { sklearnReference } from '../support/sklearn';

const CAPTURE = 'capture-bucket';
const ASSETS = 'assets-bucket';
const HOUR = 3_600_000;
const MIN_GROUP_SIZE = 30;

describe('run-time model quality against moto_server', () => {
  const moto = useMoto();
  let s3: S3Client;
  let keyArn: string;
  const emf = new EmfSink();
  const logger = memoryLogger();
  let clock = new Date();
  let handler: ReturnType<typeof makeHandler>;
  const records = trainingRecords(1500, 7);
  const recent = new Date(Date.now() - 2 * HOUR);
  const EXPIRED_SEQ = 90_000;

  beforeAll(async () => {
    s3 = new S3Client(moto.clientConfig());
    const kms = new KMSClient(moto.clientConfig());
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'capture key' }))).KeyMetadata!.Arn!;
    kms.destroy();
    await createDriftBuckets(s3, CAPTURE, ASSETS);
    const settings = qualitySettings({ minGroupSize: MIN_GROUP_SIZE, minLabelled: 100, maxLabelDelayHours: 168 });
    const config = readConfig({
      ...fraudDetectorEnv(ASSETS),
      STATE_BUCKET: CAPTURE,
      [DRIFT_DETECTOR_ENV.QUALITY]: JSON.stringify(settings),
      [DRIFT_DETECTOR_ENV.LEDGER_KMS_KEY_ARN]: keyArn,
      [DRIFT_REPORT_ENV.BUCKET]: ASSETS,
      [DRIFT_REPORT_ENV.PREFIX]: 'drift-reports/fraud-xgb/',
      [DRIFT_REPORT_ENV.KMS_KEY_ARN]: keyArn,
      [DRIFT_REPORT_ENV.ALL_WINDOWS]: 'true',
      [DRIFT_REPORT_ENV.THRESHOLDS]: JSON.stringify(pickThresholds(DRIFT_THRESHOLD_DEFAULTS)),
    });
    handler = makeHandler({
      s3,
      writeMetrics: emf.write,
      logger,
      config,
      baseline: makeBaselineLoader(s3, config),
      now: () => clock,
    });
  });

  afterAll(() => s3?.destroy());

  const metric = (name: string, reason?: string) =>
    emf
      .data()
      .filter(
        (d) =>
          d.MetricName === name &&
          d.Dimensions.some((x) => x.Name === 'VariantName' && x.Value === 'Blue') &&
          (reason === undefined
            ? !d.Dimensions.some((x) => x.Name === 'Reason')
            : d.Dimensions.some((x) => x.Name === 'Reason' && x.Value === reason)),
      )
      .map((d) => d.Value);

  let ledger: LedgerEntry[] = [];

  it('writes the prediction ledger of a judged capture file: SSE-KMS with the capture key, id/p/s/g/t only', async () => {
    // GIVEN capture records with the reference model's label and score, two hours old, and one 400 hours old
    const lines = records.map((r, i) => captureLine(r, i, 'CSV', recent, true));
    lines.push(captureLine(records[0]!, EXPIRED_SEQ, 'CSV', new Date(Date.now() - 400 * HOUR), true));
    const key = captureKey('Blue', 'labelled.jsonl');
    await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: `${lines.join('\n')}\n` }));
    // WHEN the detector judges the file
    const out = await handler(objectCreated(CAPTURE, key));
    // THEN one ledger object holds one entry per record, encrypted with the capture key
    expect(out.objects[0]).toMatchObject({ status: 'published', sampleCount: records.length + 1 });
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: CAPTURE, Prefix: ledgerPrefix('fraud-xgb', 'Blue') }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      /^quality-ledger\/fraud-xgb\/Blue\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f]{32}\.ledger\.jsonl$/,
    );
    expect(out.objects[0]!.ledger).toBe(`s3://${CAPTURE}/${keys[0]}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: CAPTURE, Key: keys[0] }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toContain(keyArn.split('/').pop());
    const text = await (
      await s3.send(new GetObjectCommand({ Bucket: CAPTURE, Key: keys[0] }))
    ).Body!.transformToString();
    ledger = parseLedger(text, keys[0]!);
    expect(ledger).toHaveLength(records.length + 1);
    for (const e of ledger) expect(Object.keys(e).every((k) => ['id', 'p', 's', 'g', 't'].includes(k))).toBe(true);
    expect(ledger[3]).toEqual({
      id: exampleEventId(3),
      p: records[3]!.label,
      s: records[3]!.score,
      g: records[3]!.gender,
      t: recent.getTime() + 3,
    });
    // and the CBPE estimate of the window is published before any label arrives
    expect(metric('EstimatedAccuracy')).toHaveLength(1);
    expect(metric('EstimatedAccuracy')[0]).toBeGreaterThan(0.5);
    expect(metric('EstimatedRocAuc')).toHaveLength(1);
    // and the window's report carries the quality section: every prediction waiting, the same estimate
    const report = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: ASSETS, Key: 'drift-reports/fraud-xgb/Blue/latest.json' }))
      ).Body!.transformToString(),
    ) as { quality: { labelled: number; predictionsWithoutLabel: number; estimated: { accuracy: number } } };
    expect(report.quality).toMatchObject({ labelled: 0, predictionsWithoutLabel: records.length + 1 });
    expect(report.quality.estimated.accuracy).toBe(metric('EstimatedAccuracy')[0]);
    const html = await (
      await s3.send(new GetObjectCommand({ Bucket: ASSETS, Key: 'drift-reports/fraud-xgb/Blue/latest.html' }))
    ).Body!.transformToString();
    expect(html).toContain('<section id="quality"><h2>Model quality</h2>');
  });

  it('joins a ground-truth file: metrics equal scikit-learn, unmatched labels counted exactly by reason', async () => {
    // GIVEN labels for ~90% of the records, plus one of each unmatched reason
    emf.clear();
    const labels = groundTruthText(records, 11);
    const labelledIds = [...labels.matchAll(/"eventId":"([^"]+)"/g)].map((m) => m[1]!);
    const unlabelledSeq = records.findIndex((_, i) => !labelledIds.includes(exampleEventId(i)));
    const extra = [
      groundTruthLine('never-captured', 1), // unknown-id
      groundTruthLine(labelledIds[0]!, 0), // duplicate: the first label counts
      'this is not json', // unreadable
      groundTruthLine(exampleEventId(EXPIRED_SEQ), 1), // expired: its prediction is 400 h old
      groundTruthLine(exampleEventId(unlabelledSeq), 7), // invalid-label: not 0/1
    ];
    const body = `${labels}${extra.join('\n')}\n`;
    const key = `${groundTruthPrefix('fraud-xgb')}2026/12/06/07/labels.jsonl`;
    await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: body }));
    // WHEN the object-created event reaches the detector
    const out = await handler(objectCreated(CAPTURE, key));
    // THEN every label that joined nothing is counted, by reason
    const labelled = new Map<string, number>();
    for (const line of labels.trim().split('\n')) {
      const doc = JSON.parse(line) as { eventMetadata: { eventId: string }; groundTruthData: { data: string } };
      labelled.set(doc.eventMetadata.eventId, Number(doc.groundTruthData.data));
    }
    expect(out.objects[0]).toMatchObject({
      status: 'published',
      labelled: labelled.size,
      unmatchedLabelsByReason: { 'unknown-id': 1, duplicate: 1, unreadable: 1, expired: 1, 'invalid-label': 1 },
    });
    expect(metric('UnmatchedLabels')).toEqual([5]);
    for (const reason of ['unknown-id', 'duplicate', 'unreadable', 'expired', 'invalid-label'])
      expect(metric('UnmatchedLabels', reason)).toEqual([1]);
    // and the quality metrics are scikit-learn's on exactly the joined labels and predictions
    const joined = ledger.filter((e) => labelled.has(e.id));
    expect(metric('LabelledCount')).toEqual([joined.length]);
    const [ref] = sklearnReference([
      {
        kind: 'binary',
        truth: joined.map((e) => labelled.get(e.id)!),
        predicted: joined.map((e) => e.p),
        scores: joined.map((e) => e.s!),
        groups: joined.map((e) => e.g!),
      },
    ]);
    for (const key of CLASSIFICATION_METRIC_KEYS) {
      const name = QUALITY_METRIC_NAMES[key];
      expect(metric(name)).toHaveLength(1);
      expect(metric(name)[0]).toBeCloseTo(ref![key] as number, 12);
    }
    const groups = Object.values(ref!.groups as Record<string, Record<string, number>>).filter(
      (g) => g.count! >= MIN_GROUP_SIZE,
    );
    const spread = (k: string) => Math.max(...groups.map((g) => g[k]!)) - Math.min(...groups.map((g) => g[k]!));
    expect(groups.length).toBeGreaterThanOrEqual(2);
    expect(metric('EqualOpportunityDifference')[0]).toBeCloseTo(spread('truePositiveRate'), 12);
    expect(metric('EqualizedOddsDifference')[0]).toBeCloseTo(
      Math.max(spread('truePositiveRate'), spread('falsePositiveRate')),
      12,
    );
    expect(metric('PredictiveParityDifference')[0]).toBeCloseTo(spread('precision'), 12);
    // the CBPE estimate is published beside the realised values
    expect(metric('EstimatedAccuracy')).toHaveLength(1);
  });

  it('a retried label file (same object, same ETag) joins to the same result, its labels not taken for duplicates', async () => {
    // GIVEN the file of the previous test, already joined WHEN its event is delivered again
    emf.clear();
    const key = `${groundTruthPrefix('fraud-xgb')}2026/12/06/07/labels.jsonl`;
    const again = await handler(objectCreated(CAPTURE, key));
    // THEN the outcome is the first run's: the same labelled count, the same unmatched labels (the in-file ones)
    const labelledIds = new Set([...groundTruthText(records, 11).matchAll(/"eventId":"([^"]+)"/g)].map((m) => m[1]));
    expect(again.objects[0]).toMatchObject({
      labelled: labelledIds.size,
      unmatchedLabelsByReason: { 'unknown-id': 1, duplicate: 1, unreadable: 1, expired: 1, 'invalid-label': 1 },
    });
    expect(metric('LabelledCount')).toEqual([labelledIds.size]);
  });

  it('a second file with a label already joined counts it as a duplicate and keeps the first', async () => {
    emf.clear();
    const key = `${groundTruthPrefix('fraud-xgb')}2026/12/06/08/again.jsonl`;
    const firstLabelled = /"eventId":"([^"]+)"/.exec(groundTruthText(records, 11))![1]!;
    await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: `${groundTruthLine(firstLabelled, 1)}\n` }));
    const out = await handler(objectCreated(CAPTURE, key));
    expect(out.objects[0]).toMatchObject({ labelled: 0, unmatchedLabelsByReason: { duplicate: 1, 'unknown-id': 0 } });
    expect(metric('UnmatchedLabels', 'duplicate')).toEqual([1]);
  });

  it('publishes the hours since labels last joined a window on the hourly tick', async () => {
    emf.clear();
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
    // WHEN the tick runs 200 h after the last labels joined (they joined at `clock`)
    const labelledAt = clock;
    clock = new Date(labelledAt.getTime() + 200 * HOUR);
    await handler(scheduled);
    // THEN the metric says 200 h: above a 168 h maxLabelDelayHours, the alarm's threshold
    expect(metric('HoursSinceLastLabelledWindow')).toEqual([200]);
  });
});
