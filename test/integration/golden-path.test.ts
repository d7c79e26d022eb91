/**
 * The golden path, end to end on this machine: the reference model server on a loopback port answers the default
 * config's four features -> its answers become SageMaker capture records in S3 (moto_server) -> the drift detector's
 * handler judges them against the committed baseline (no record skipped) and writes their prediction ledger -> ground
 * truth for those inferences -> drift:report's quality object, and the same labels landing under the model's
 * ground-truth prefix -> the detector's join publishes the same quality metrics (the alarms' inputs).
 * Before issue 19 every record was skipped ("row has 3 value(s), the baseline has 4").
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { OUTCOME_FAIRNESS_METRIC_NAMES, QUALITY_METRIC_NAMES } from '../../core/contracts/drift-metrics';
import {
  CLASSIFICATION_METRIC_KEYS,
  OUTCOME_FAIRNESS_KEYS,
  groundTruthPrefix,
  qualitySettings,
} from '../../core/contracts/quality';
import { useMoto } from '../support/aws-env';
import { createDriftBuckets, objectCreated } from '../support/drift-fixtures';
import { makeHandler } from '../../lambda/drift-detector/handler';
import { memoryLogger } from '../../lambda/shared/logger';
import { exampleEventId, groundTruthText, trainingRecords } from '../../scripts/make-example-data';
import { runDriftReportCli } from '../../scripts/drift-report';
import { EmfSink } from '../support/emf-sink';
import { FRAUD_BASELINE, FRAUD_BASELINE_FILE, FRAUD_DETECTOR_CONFIG } from '../support/fraud-fixtures';

interface ServerModule {
  loadModel(dir?: string): unknown;
  startServer(opts: { port?: number; host?: string; model?: unknown }): Promise<Server>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadModel, startServer } = require('../../images/reference-model/server.js') as ServerModule;

const RECORDS = 300;

describe('golden path: reference model -> capture -> drift -> ground truth -> quality', () => {
  const moto = useMoto();
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'golden-path-'));
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      model: loadModel(join(__dirname, '../../images/reference-model/model')),
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((done) => server.close(done)));

  it('judges every captured record and reports quality from its labels', async () => {
    // GIVEN 300 invocations of the real server, captured as SageMaker does
    const records = trainingRecords(RECORDS, 401);
    const lines: string[] = [];
    const scores: number[] = [];
    for (const [i, r] of records.entries()) {
      const body = `${r.amount},${r.merchant_category},${r.account_age_days},${r.gender}`;
      const res = await fetch(`${base}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv' } });
      expect(res.status).toBe(200);
      const out = await res.text();
      scores.push((JSON.parse(out) as { predictions: { score: number }[] }).predictions[0]!.score);
      lines.push(
        JSON.stringify({
          captureData: {
            endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: body, encoding: 'CSV' },
            endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: out, encoding: 'JSON' },
          },
          eventMetadata: {
            eventId: exampleEventId(i),
            // An hour ago: within maxLabelDelayHours of labels that arrive now.
            inferenceTime: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(),
          },
          eventVersion: '0',
        }),
      );
    }
    const capture = `${lines.join('\n')}\n`;
    // The model is the generator's own logit without its noise: the scores follow the example data's.
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0);

    // WHEN the capture file lands in S3 and the drift detector's handler judges it
    const s3 = new S3Client(moto.clientConfig());
    const kms = new KMSClient(moto.clientConfig());
    const ledgerKmsKeyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    kms.destroy();
    await createDriftBuckets(s3, 'capture', 'assets');
    const captureKey = 'datacapture/fraud-xgb/fraud-xgb/AllTraffic/2026/01/01/00/x.jsonl';
    await s3.send(new PutObjectCommand({ Bucket: 'capture', Key: captureKey, Body: capture }));
    const emf = new EmfSink();
    const handler = makeHandler({
      s3,
      writeMetrics: emf.write,
      logger: memoryLogger(),
      config: {
        ...FRAUD_DETECTOR_CONFIG,
        stateBucket: 'capture',
        quality: qualitySettings({ minGroupSize: FRAUD_DETECTOR_CONFIG.minGroupSize }),
        ledgerKmsKeyArn,
      },
      baseline: async () => FRAUD_BASELINE,
    });
    const judged = await handler(objectCreated('capture', captureKey));
    expect(judged.objects[0]!.ledger).toMatch(/^s3:\/\/capture\/quality-ledger\/fraud-xgb\/AllTraffic\//);
    // THEN every record is judged and none skipped
    const metric = (name: string) => emf.data().find((d) => d.MetricName === name)?.Value;
    expect(metric('SampleCount')).toBe(RECORDS);
    expect(metric('MalformedRecords') ?? 0).toBe(0);
    expect(metric('MaxFeaturePSI')).toEqual(expect.any(Number));

    // AND WHEN their labels arrive and drift:report joins them
    const captureFile = join(dir, 'capture.jsonl');
    const gtFile = join(dir, 'ground-truth.jsonl');
    writeFileSync(captureFile, capture);
    const withScores = records.map((r, i) => ({ ...r, score: scores[i] as number }));
    writeFileSync(gtFile, groundTruthText(withScores, 402, { missingShare: 0.1 }));
    const run = await runDriftReportCli(
      [
        '--baseline',
        FRAUD_BASELINE_FILE,
        '--capture',
        captureFile,
        '--ground-truth',
        gtFile,
        '--json',
        '--out',
        join(dir, 'r.json'),
        '--min-samples',
        '200',
      ],
      () => undefined,
    );
    // THEN the quality object has metrics, ROC AUC from the server's scores included
    const q = run.report.quality!;
    expect(q.labelled + q.predictionsWithoutLabel).toBe(RECORDS);
    expect(q.unmatchedLabels).toBe(0);
    expect(q.judged).toBe(true);
    expect(q.metrics?.rocAuc).toBeGreaterThan(0.5);
    expect(Object.keys(q.groups).sort()).toEqual(['F', 'M']);

    // AND WHEN the same labels land under the model's ground-truth prefix
    emf.clear();
    const gtKey = `${groundTruthPrefix('fraud-xgb')}2026/01/01/01/labels.jsonl`;
    await s3.send(new PutObjectCommand({ Bucket: 'capture', Key: gtKey, Body: readFileSync(gtFile) }));
    await handler(objectCreated('capture', gtKey));
    s3.destroy();
    // THEN the detector publishes what drift:report computed: the alarms watch the same numbers
    expect(metric('LabelledCount')).toBe(q.labelled);
    expect(metric('UnmatchedLabels')).toBe(0);
    for (const key of CLASSIFICATION_METRIC_KEYS)
      expect(metric(QUALITY_METRIC_NAMES[key])).toBeCloseTo(q.metrics![key] as number, 12);
    for (const key of OUTCOME_FAIRNESS_KEYS)
      expect(metric(OUTCOME_FAIRNESS_METRIC_NAMES[key])).toBeCloseTo(q.fairness![key], 12);
  });
});
