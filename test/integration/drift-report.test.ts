/**
 * Run-time drift reports against moto_server: the real handler with real S3 and KMS clients. A drifted
 * capture file gets its report (dated HTML and JSON, and the variant's latest copies) in the reports bucket under
 * SSE-KMS with the configured key; an undrifted one gets none; the report's numbers are the metrics the detector
 * published, read back from its EMF lines.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { EmfSink } from '../support/emf-sink';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/drift-detector/handler';
import { DriftReport } from '../../lambda/drift-detector/report/model';
import { DRIFT_REPORT_ENV, pickThresholds } from '../../core/contracts/drift-report';
import { captureText } from '../../scripts/make-example-data';
import { useMoto } from '../support/aws-env';
import { driftStat } from '../support/drift-fixtures';
import { ThresholdsSchema } from '../../lib/config/schema';
import { readConfig } from '../../lambda/drift-detector/settings';
import { makeBaselineLoader } from '../../lambda/drift-detector/baseline-loader';

const CAPTURE = 'capture-bucket';
const ASSETS = 'assets-bucket';
const REPORTS = 'reports-bucket';
const ENDPOINT = 'fraud-xgb';
const BASELINE_FILE = join(__dirname, '../../baselines/fraud-xgb.json');
const keyFor = (variant: string, file: string) => `datacapture/${ENDPOINT}/${variant}/2026/01/01/10/${file}`;
const event = (key: string) => ({
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: CAPTURE }, object: { key } },
});
/** The config's default thresholds (monitoring.thresholds). */
const THRESHOLDS = pickThresholds(ThresholdsSchema.parse({}));

describe('drift reports against moto_server', () => {
  const moto = useMoto();
  let s3: S3Client;
  const emf = new EmfSink();
  let keyArn: string;
  let handler: ReturnType<typeof makeHandler>;

  beforeAll(async () => {
    s3 = new S3Client(moto.clientConfig());
    const kms = new KMSClient(moto.clientConfig());
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'reports' }))).KeyMetadata?.Arn as string;
    kms.destroy();
    for (const Bucket of [CAPTURE, ASSETS, REPORTS])
      await s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
    await s3.send(new PutObjectCommand({ Bucket: ASSETS, Key: 'baseline.json', Body: readFileSync(BASELINE_FILE) }));
    await s3.send(
      new PutObjectCommand({ Bucket: CAPTURE, Key: keyFor('Blue', 'a.jsonl'), Body: captureText(2000, 101) }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: CAPTURE,
        Key: keyFor('Green', 'b.jsonl'),
        // Drifted traffic plus two unreadable lines: the report must count them with their reasons.
        Body: `${captureText(2000, 102, { drifted: true })}garbage\n{"captureData":{}}\n`,
      }),
    );
    const config = readConfig({
      FEATURES: 'amount:numeric,merchant_category:categorical,account_age_days:numeric,gender:categorical',
      SENSITIVE_ATTRIBUTE: 'gender',
      POSITIVE_LABEL: '1',
      MIN_SAMPLES: '200',
      ENDPOINT_NAME: ENDPOINT,
      VARIANT_NAME: 'Blue',
      BASELINE_BUCKET: ASSETS,
      BASELINE_KEY: 'baseline.json',
      [DRIFT_REPORT_ENV.BUCKET]: REPORTS,
      [DRIFT_REPORT_ENV.PREFIX]: `drift-reports/${ENDPOINT}/`,
      [DRIFT_REPORT_ENV.KMS_KEY_ARN]: keyArn,
      [DRIFT_REPORT_ENV.THRESHOLDS]: JSON.stringify(THRESHOLDS),
    });
    handler = makeHandler({
      s3,
      writeMetrics: emf.write,
      logger: memoryLogger(),
      config,
      baseline: makeBaselineLoader(s3, config),
    });
  });

  afterAll(() => {
    s3?.destroy();
  });

  const published = (metric: string, variant: string, feature?: string) =>
    driftStat(emf, metric, variant, 'Maximum', feature, ENDPOINT);

  const text = async (Key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: REPORTS, Key }))).Body!.transformToString();

  it('writes the drifted window its report, SSE-KMS, dated and latest, and names it in the outcome', async () => {
    // WHEN a drifted and an undrifted file arrive
    const green = await handler(event(keyFor('Green', 'b.jsonl')));
    const blue = await handler(event(keyFor('Blue', 'a.jsonl')));
    // THEN only the drifted window has a report, at the key its capture file's date and name give
    const dated = `drift-reports/${ENDPOINT}/Green/2026/01/01/10/b`;
    expect(green.objects[0]?.report).toBe(`s3://${REPORTS}/${dated}.html`);
    expect(blue.objects[0]?.report).toBeUndefined();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: REPORTS }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      `${dated}.html`,
      `${dated}.json`,
      `drift-reports/${ENDPOINT}/Green/latest.html`,
      `drift-reports/${ENDPOINT}/Green/latest.json`,
    ]);
    for (const o of listed.Contents ?? []) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: REPORTS, Key: o.Key }));
      expect(head.ServerSideEncryption).toBe('aws:kms');
      expect(head.SSEKMSKeyId).toContain(keyArn.split('/').pop());
    }
    expect(await text(`drift-reports/${ENDPOINT}/Green/latest.html`)).toBe(await text(`${dated}.html`));
    expect(await text(`${dated}.html`)).toContain('DRIFT: at least one metric crossed its threshold');
  });

  it("has the published metrics' values in the report, and the baseline's hash in its provenance", async () => {
    const report = JSON.parse(await text(`drift-reports/${ENDPOINT}/Green/2026/01/01/10/b.json`)) as DriftReport;
    // THEN every number equals the metric the EMF lines carry for the same window
    expect(await published('SampleCount', 'Green')).toBe(report.summary.sampleCount);
    expect(await published('MalformedRecords', 'Green')).toBe(report.summary.malformedRecords);
    expect(report.summary.malformedRecords).toBe(2);
    expect(report.summary.skipped.reduce((a, s) => a + s.count, 0)).toBe(2);
    for (const f of report.features) {
      expect(await published('FeaturePSI', 'Green', f.name)).toBeCloseTo(f.psi as number, 12);
      expect(await published('FeatureJSDistance', 'Green', f.name)).toBeCloseTo(f.jsDistance as number, 12);
      if (f.type === 'numeric') expect(await published('FeatureKS', 'Green', f.name)).toBeCloseTo(f.ks as number, 12);
    }
    expect(await published('PredictionPSI', 'Green')).toBeCloseTo(report.prediction?.psi as number, 12);
    expect(await published('DisparateImpactRatio', 'Green')).toBeCloseTo(
      report.fairness?.disparateImpactRatio as number,
      12,
    );
    expect(await published('DemographicParityDifference', 'Green')).toBeCloseTo(
      report.fairness?.demographicParityDifference as number,
      12,
    );
    expect(report.provenance).toMatchObject({
      baseline: {
        file: `s3://${ASSETS}/baseline.json`,
        sha256: createHash('sha256').update(readFileSync(BASELINE_FILE)).digest('hex'),
      },
      captures: [`s3://${CAPTURE}/${keyFor('Green', 'b.jsonl')}`],
      endpointName: ENDPOINT,
      variantName: 'Green',
    });
    expect(report.provenance.timeRange?.from).toMatch(/^2026-01-01T/);
  });
});
