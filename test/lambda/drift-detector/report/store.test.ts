/**
 * The detector's report hook, for the branches the moto test (test/integration/drift-report.test.ts) cannot
 * force: the order of report and metrics, an S3 failure while writing the report, every-window reports, windows
 * below minSamples, and the settings read at cold start.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../../../lambda/shared/logger';
import { ConfigurationError } from '../../../../lambda/shared/errors';
import { makeHandler } from '../../../../lambda/drift-detector/handler';
import { reportKeys } from '../../../../lambda/drift-detector/report/store';
import { DRIFT_REPORT_ENV, pickThresholds } from '../../../../core/contracts/drift-report';
import { captureText } from '../../../../scripts/make-example-data';
import { FRAUD_BASELINE, FRAUD_DETECTOR_CONFIG } from '../../../support/fraud-fixtures';
import { ThresholdsSchema } from '../../../../lib/config/schema';
import { DetectorConfig, readConfig } from '../../../../lambda/drift-detector/settings';
import { BaselineDocument } from '../../../../core/contracts/baseline';

const BASELINE: BaselineDocument = FRAUD_BASELINE;
const KEY = 'datacapture/fraud-xgb/fraud-xgb/AllTraffic/2026/01/01/10/part-1.jsonl';
/** The config's default thresholds (monitoring.thresholds). */
const THRESHOLDS = pickThresholds(ThresholdsSchema.parse({}));
const REPORTS = {
  bucket: 'reports',
  prefix: 'drift-reports/fraud-xgb/',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
  allWindows: false,
  thresholds: THRESHOLDS,
};
const config: DetectorConfig = { ...FRAUD_DETECTOR_CONFIG, reports: REPORTS };
const event = { source: 'aws.s3', detail: { bucket: { name: 'capture' }, object: { key: KEY } } };

const s3 = mockClient(S3Client);
const calls: string[] = [];
/** Records the metric lines as one 'metrics' step per run of lines, so the order against the S3 writes shows. */
const writeMetrics = (): void => {
  if (calls[calls.length - 1] !== 'metrics') calls.push('metrics');
};

function handlerWith(overrides: Partial<DetectorConfig> = {}) {
  return makeHandler({
    s3: new S3Client({ region: 'eu-west-1' }),
    writeMetrics,
    logger: memoryLogger(),
    config: { ...config, ...overrides },
    baseline: async () => BASELINE,
    now: () => new Date('2026-01-01T10:06:00Z'),
  });
}

function serve(text: string) {
  s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(text)]) }));
}

beforeEach(() => {
  s3.reset();
  calls.length = 0;
  s3.on(PutObjectCommand).callsFake((input: { Key: string }) => {
    calls.push(`s3:${input.Key}`);
    return {};
  });
});

describe('drift report at run time', () => {
  it('writes the report (SSE-KMS with the configured key) before it publishes the metrics', async () => {
    // GIVEN a drifted window
    serve(captureText(1000, 11, { drifted: true }));
    // WHEN
    const out = await handlerWith()(event);
    // THEN dated HTML and JSON, then latest, then the metrics
    const base = 'drift-reports/fraud-xgb/AllTraffic/2026/01/01/10/part-1';
    expect(calls).toEqual([
      `s3:${base}.html`,
      `s3:${base}.json`,
      's3:drift-reports/fraud-xgb/AllTraffic/latest.html',
      's3:drift-reports/fraud-xgb/AllTraffic/latest.json',
      'metrics',
    ]);
    for (const c of s3.commandCalls(PutObjectCommand)) {
      expect(c.args[0].input).toMatchObject({
        Bucket: 'reports',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: REPORTS.kmsKeyArn,
      });
    }
    expect(out.objects[0]?.report).toBe(`s3://reports/${base}.html`);
  });

  it('fails the event and publishes nothing when the report cannot be written, so a retry redoes both', async () => {
    serve(captureText(1000, 11, { drifted: true }));
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(handlerWith()(event)).rejects.toThrow(/drift detection failed for 1 of 1 object\(s\).*Access Denied/);
    expect(calls).not.toContain('metrics');
  });

  it('writes no report for a window without drift unless every window is configured', async () => {
    serve(captureText(2000, 101)); // same traffic as the baseline (at 1,000 records seed 12 is unfair by chance: DI 0.76)
    await handlerWith()(event);
    expect(calls).toEqual(['metrics']);
    calls.length = 0;
    const out = await handlerWith({ reports: { ...REPORTS, allWindows: true } })(event);
    expect(calls.filter((c) => c.startsWith('s3:'))).toHaveLength(4);
    expect(out.objects[0]?.report).toMatch(/part-1\.html$/);
  });

  it('writes no report below minSamples, even when every window is configured', async () => {
    serve(captureText(50, 13, { drifted: true }));
    await handlerWith({ reports: { ...REPORTS, allWindows: true } })(event);
    expect(calls).toEqual(['metrics']);
  });

  it('writes nothing and reads no report setting when reports are off', async () => {
    serve(captureText(1000, 11, { drifted: true }));
    const { reports: _off, ...withoutReports } = config;
    await makeHandler({
      s3: new S3Client({ region: 'eu-west-1' }),
      writeMetrics,
      logger: memoryLogger(),
      config: withoutReports,
      baseline: async () => BASELINE,
    })(event);
    expect(calls).toEqual(['metrics']);
  });
});

describe('report settings and keys', () => {
  const env = {
    FEATURES: 'amount:numeric',
    BASELINE_BUCKET: 'assets',
    BASELINE_KEY: 'b.json',
    [DRIFT_REPORT_ENV.BUCKET]: 'reports',
    [DRIFT_REPORT_ENV.PREFIX]: 'drift-reports/e/',
    [DRIFT_REPORT_ENV.KMS_KEY_ARN]: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
    [DRIFT_REPORT_ENV.THRESHOLDS]: JSON.stringify(THRESHOLDS),
  };

  it('reads the settings at cold start; no bucket means no reports', () => {
    expect(readConfig(env).reports).toEqual({ ...REPORTS, prefix: 'drift-reports/e/' });
    expect(readConfig({ ...env, [DRIFT_REPORT_ENV.BUCKET]: '' }).reports).toBeUndefined();
    expect(readConfig({ ...env, [DRIFT_REPORT_ENV.ALL_WINDOWS]: 'true' }).reports?.allWindows).toBe(true);
  });

  it.each([
    [{ [DRIFT_REPORT_ENV.KMS_KEY_ARN]: '' }, /REPORTS_KMS_KEY_ARN is required when REPORTS_BUCKET is set/],
    [{ [DRIFT_REPORT_ENV.PREFIX]: '/x' }, /REPORTS_PREFIX must end with "\/" and not start with one, got "\/x"/],
    [{ [DRIFT_REPORT_ENV.ALL_WINDOWS]: 'yes' }, /REPORT_ALL_WINDOWS must be true or false, got "yes"/],
    [{ [DRIFT_REPORT_ENV.THRESHOLDS]: '{"psi":0.2}' }, /DRIFT_THRESHOLDS\.ks must be a number >= 0, got undefined/],
    [{ [DRIFT_REPORT_ENV.THRESHOLDS]: 'nope' }, /DRIFT_THRESHOLDS is not valid JSON/],
  ])('rejects bad report settings %#, naming the variable and the value', (patch, message) => {
    expect(() => readConfig({ ...env, ...patch })).toThrow(ConfigurationError);
    expect(() => readConfig({ ...env, ...patch })).toThrow(message);
  });

  it("dates a report by its capture file's key, or by the processing time for other keys", () => {
    expect(
      reportKeys('p/', 'V', 'datacapture/e/V/2026/02/03/04/x-1.jsonl.gz', new Date('2027-01-01T00:00:00Z')),
    ).toEqual({
      html: 'p/V/2026/02/03/04/x-1.html',
      json: 'p/V/2026/02/03/04/x-1.json',
      latestHtml: 'p/V/latest.html',
      latestJson: 'p/V/latest.json',
    });
    expect(reportKeys('p/', 'V', 'upload/file.jsonl', new Date('2027-05-06T07:08:09Z')).html).toBe(
      'p/V/2027/05/06/07/file.html',
    );
  });
});
