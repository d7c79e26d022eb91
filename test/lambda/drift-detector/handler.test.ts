import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { qualitySettings } from '../../../core/contracts/quality';
import { mockClient } from 'aws-sdk-client-mock';
import { EmfSink } from '../../support/emf-sink';
import { memoryLogger } from '../../../lambda/shared/logger';
import { ConfigurationError } from '../../../lambda/shared/errors';
import { makeHandler } from '../../../lambda/drift-detector/handler';
import { DRIFT_METRICS } from '../../../core/contracts/drift-metrics';
import { DriftStateStore, FileVersion, WindowState } from '../../../lambda/drift-detector/state-store';
import { captureText } from '../../../scripts/make-example-data';
import { FRAUD_BASELINE, FRAUD_DETECTOR_CONFIG } from '../../support/fraud-fixtures';
import { DetectorConfig, readConfig } from '../../../lambda/drift-detector/settings';
import { locationFromKey, objectsFromEvent } from '../../../lambda/drift-detector/event';
import { BaselineBuilder } from '../../../lib/baseline/builder';
import { BaselineDocument } from '../../../core/contracts/baseline';
import { METRICS, MetricDatum } from '../../../lambda/drift-detector/metrics';
import { makeBaselineLoader } from '../../../lambda/drift-detector/baseline-loader';

const BASELINE: BaselineDocument = FRAUD_BASELINE;
const KEY = 'datacapture/fraud-xgb/fraud-xgb/AllTraffic/2026/01/01/10/part-1.jsonl';
const config: DetectorConfig = FRAUD_DETECTOR_CONFIG;
const eventFor = (key: string, bucket = 'capture') => ({
  version: '0',
  source: 'aws.s3',
  'detail-type': 'Object Created',
  time: '2026-01-01T10:05:00Z',
  detail: { bucket: { name: bucket }, object: { key, size: 1 } },
});

const s3 = mockClient(S3Client);
const emf = new EmfSink();
const body = (text: string | Buffer) => Readable.from([Buffer.from(text)]) as never;

function setup(overrides: Partial<DetectorConfig> = {}) {
  const logger = memoryLogger();
  const handler = makeHandler({
    s3: new S3Client({ region: 'eu-west-1' }),
    writeMetrics: emf.write,
    logger,
    config: { ...config, ...overrides },
    baseline: async () => BASELINE,
    now: () => new Date('2026-01-01T10:06:00Z'),
  });
  return { handler, logger };
}

/** The metric data of the EMF lines written (their namespace is checked as they are read). */
function published(): MetricDatum[] {
  return emf.data();
}

const names = (data: MetricDatum[]) => [...new Set(data.map((d) => d.MetricName))].sort();

beforeEach(() => {
  s3.reset();
  emf.clear();
});

describe('drift detector handler', () => {
  it('publishes every drift and fairness metric for a drifted file from an EventBridge event', async () => {
    // GIVEN a drifted capture file of 1,000 records
    s3.on(GetObjectCommand, { Bucket: 'capture', Key: KEY }).resolves({
      Body: body(captureText(1000, 11, { drifted: true })),
    });
    const { handler } = setup();
    // WHEN
    const out = await handler(eventFor(KEY));
    // THEN
    expect(out.objects).toEqual([
      expect.objectContaining({ status: 'published', sampleCount: 1000, malformedRecords: 0 }),
    ]);
    const data = published();
    // Every metric but those of redeliveries and of the rolling window, which a single large file never uses.
    const perFile = Object.values(METRICS).filter(
      (m) => m !== METRICS.DUPLICATE_FILES && m !== METRICS.EXPIRED_WINDOW_RECORDS && m !== METRICS.WINDOW_SAMPLE_COUNT,
    );
    expect(names(data)).toEqual(perFile.sort());
    const psiOf = (f: string) =>
      data.find(
        (d) => d.MetricName === 'FeaturePSI' && d.Dimensions?.some((x) => x.Name === 'Feature' && x.Value === f),
      )?.Value;
    expect(psiOf('amount')).toBeGreaterThan(0.2);
    expect(psiOf('gender')).toBeLessThan(0.1);
    const max = data.find((d) => d.MetricName === 'MaxFeaturePSI');
    expect(max?.Dimensions).toEqual([
      { Name: 'EndpointName', Value: 'fraud-xgb' },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ]);
    expect(max?.Timestamp).toEqual(new Date('2026-01-01T10:06:00Z'));
    // FeatureKS only for numeric features
    expect(
      data
        .filter((d) => d.MetricName === 'FeatureKS')
        .map((d) => d.Dimensions?.find((x) => x.Name === 'Feature')?.Value)
        .sort(),
    ).toEqual(['account_age_days', 'amount']);
  });

  it('publishes only the counts (samples, malformed, missing predictions) below minSamples', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(`${captureText(50, 12)}{not json\n`) });
    const { handler } = setup();
    await handler(eventFor(KEY));
    const data = published();
    expect(names(data)).toEqual(['MalformedRecords', 'MissingPredictions', 'SampleCount']);
    expect(data.find((d) => d.MetricName === 'SampleCount')?.Value).toBe(50);
    expect(data.find((d) => d.MetricName === 'MalformedRecords')?.Value).toBe(1);
  });

  it('accepts the classic S3 notification shape with URL-encoded keys', async () => {
    const key = 'datacapture/fraud-xgb/fraud-xgb/AllTraffic/2026/01/01/10/part 1.jsonl';
    s3.on(GetObjectCommand, { Key: key }).resolves({ Body: body(captureText(10, 13)) });
    const { handler } = setup();
    const out = await handler({
      Records: [
        {
          s3: {
            bucket: { name: 'capture' },
            object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/') },
          },
        },
      ],
    });
    expect(out.objects[0]).toMatchObject({ key, status: 'published', sampleCount: 10 });
  });

  it('reads gzip files, and counts a corrupt one as malformed without throwing', async () => {
    s3.on(GetObjectCommand, { Key: `${KEY}.gz` }).resolves({ Body: body(gzipSync(captureText(300, 14))) });
    s3.on(GetObjectCommand, { Key: `${KEY}-bad.gz` }).resolves({ Body: body('this is not gzip') });
    const { handler, logger } = setup();
    expect((await handler(eventFor(`${KEY}.gz`))).objects[0]).toMatchObject({ status: 'published', sampleCount: 300 });
    emf.clear();
    expect((await handler(eventFor(`${KEY}-bad.gz`))).objects[0]).toMatchObject({
      status: 'malformed-file',
      malformedRecords: 1,
    });
    expect(published().find((d) => d.MetricName === 'MalformedRecords')?.Value).toBe(1);
    expect(logger.lines.some((l) => l.level === 'ERROR' && /unreadable/.test(String(l.message)))).toBe(true);
  });

  it('skips a file that vanished (NoSuchKey) and one of another endpoint', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    const { handler } = setup();
    expect((await handler(eventFor(KEY))).objects[0]).toMatchObject({ status: 'skipped', reason: 'NoSuchKey' });
    expect(
      (await handler(eventFor('datacapture/other/other/AllTraffic/2026/01/01/10/x.jsonl'))).objects[0],
    ).toMatchObject({ status: 'skipped' });
    expect(emf.lines).toHaveLength(0);
  });

  it('joins a ground-truth file only with monitoring.quality; otherwise it is no capture file of this endpoint', async () => {
    const gt = 'ground-truth/fraud-xgb/2026/01/01/11/labels.jsonl';
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body('{"not":"a label"}\n') }));
    // GIVEN no quality settings WHEN a ground-truth key arrives THEN it is skipped, nothing read as capture
    expect((await setup().handler(eventFor(gt))).objects[0]).toMatchObject({ status: 'skipped' });
    expect(emf.lines).toHaveLength(0);
    // GIVEN quality settings WHEN the same file arrives THEN its unreadable line is counted, not dropped
    const quality = setup({
      quality: qualitySettings({ minGroupSize: 100 }),
      stateBucket: 'capture',
      ledgerKmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k',
    });
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    expect((await quality.handler(eventFor(gt))).objects[0]).toMatchObject({
      status: 'published',
      labelled: 0,
      unmatchedLabelsByReason: { unreadable: 1, 'unknown-id': 0 },
    });
    expect(published().map((d) => [d.MetricName, d.Value, d.Dimensions.at(-1)!.Value])).toEqual([
      ['UnmatchedLabels', 1, 'AllTraffic'],
      ['UnmatchedLabels', 1, 'unreadable'],
    ]);
  });

  it('answers the hourly schedule only with monitoring.quality', async () => {
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
    const { handler, logger } = setup();
    expect(await handler(scheduled)).toEqual({ objects: [] });
    expect(emf.lines).toHaveLength(0);
    expect(JSON.stringify(logger.lines)).toContain('scheduled event without monitoring.quality');
  });

  it('tries every object of the event and then throws for retryable failures', async () => {
    const good = KEY.replace('part-1', 'part-2');
    s3.on(GetObjectCommand, { Key: KEY }).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    s3.on(GetObjectCommand, { Key: good }).resolves({ Body: body(captureText(5, 15)) });
    const { handler } = setup();
    const event = { Records: [KEY, good].map((key) => ({ s3: { bucket: { name: 'capture' }, object: { key } } })) };
    await expect(handler(event)).rejects.toThrow(/failed for 1 of 2 object\(s\).*SlowDown slow down/);
    expect(published().find((d) => d.MetricName === 'SampleCount')?.Value).toBe(5);
  });

  it("writes a wide model's metrics as EMF documents of at most 100 metrics, one per dimension set", async () => {
    // GIVEN a 300-feature model: 300 x (PSI + JS + KS) + 4 > 900 data
    const features = Array.from({ length: 300 }, (_, i) => ({ name: `f${i}`, type: 'numeric' as const }));
    const b = new BaselineBuilder({ features });
    for (let r = 0; r < 50; r++) b.add(Object.fromEntries(features.map((f, i) => [f.name, r + i])));
    const baseline = b.build({ createdAt: 'x', source: { file: 'x', sha256: 'x', format: 'csv' } });
    const row = features.map((_, i) => i + 3).join(',');
    const line = JSON.stringify({
      captureData: { endpointInput: { observedContentType: 'text/csv', data: row, encoding: 'CSV' } },
    });
    s3.on(GetObjectCommand).resolves({ Body: body(`${Array(5).fill(line).join('\n')}\n`) });
    const handler = makeHandler({
      s3: new S3Client({}),
      writeMetrics: emf.write,
      logger: memoryLogger(),
      config: { ...config, features, sensitiveAttribute: undefined, minSamples: 1 },
      baseline: async () => baseline,
    });
    await handler(eventFor(KEY));
    // THEN one document per feature (PSI, JS, KS) plus one for the variant's counts and statistics
    const docs = emf.documents();
    expect(docs).toHaveLength(301);
    expect(Math.max(...docs.map((d) => d._aws.CloudWatchMetrics[0]?.Metrics.length ?? 0))).toBeLessThanOrEqual(100);
    expect(published()).toHaveLength(905); // 900 feature statistics + 5 for the variant
  });

  it('ignores an event it does not understand instead of failing through retries', async () => {
    const { handler, logger } = setup();
    await expect(handler({ hello: 'world' })).resolves.toEqual({ objects: [] });
    expect(logger.lines.some((l) => l.level === 'ERROR')).toBe(true);
  });

  it('uses the same metric names as the construct', () => {
    expect(METRICS).toEqual(DRIFT_METRICS);
  });
});

describe('baseline loader', () => {
  it('loads once per container, and retries after a failed load', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied' }))
      .resolves({ Body: body(JSON.stringify(BASELINE)) });
    const load = makeBaselineLoader(new S3Client({}), config);
    await expect(load()).rejects.toThrow(/denied/);
    await expect(load()).resolves.toMatchObject({ kind: 'mlops.drift-baseline' });
    await load();
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it('rejects a baseline that lacks a configured feature, naming it', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(BASELINE)) });
    const load = makeBaselineLoader(new S3Client({}), {
      ...config,
      features: [...config.features, { name: 'income', type: 'numeric' }],
    });
    await expect(load()).rejects.toThrow(ConfigurationError);
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(BASELINE)) });
    await expect(load()).rejects.toThrow(/feature "income" is not in the baseline/);
  });
});

describe('event and key parsing', () => {
  it('reads endpoint and variant from the SageMaker capture layout', () => {
    expect(locationFromKey(KEY)).toEqual({ endpointName: 'fraud-xgb', variantName: 'AllTraffic' });
    expect(locationFromKey('a/b/c.jsonl')).toBeUndefined();
  });

  it('rejects an EventBridge event without an object key', () => {
    // GIVEN an EventBridge event whose detail names the bucket only
    // WHEN it is parsed THEN the error names the missing field and what it holds
    expect(() => objectsFromEvent({ detail: { bucket: { name: 'b' } } })).toThrow(
      /detail\.object must be an object, got nothing/,
    );
  });

  it('rejects an S3 notification naming every bad record field at once', () => {
    // GIVEN a notification whose first record lacks the key and whose second names a numeric bucket
    const event = {
      Records: [{ s3: { bucket: { name: 'b' }, object: {} } }, { s3: { bucket: { name: 7 }, object: { key: 'k' } } }],
    };
    // WHEN it is parsed THEN both problems are in one message
    expect(() => objectsFromEvent(event)).toThrow(
      'S3 notification is malformed: Records[0].s3.object.key must be a string, got nothing; Records[1].s3.bucket.name must be a string, got 7',
    );
  });

  it('reads an EventBridge event and URL-decodes notification keys', () => {
    // GIVEN one event of each shape WHEN parsed THEN the objects are named as S3 spells them
    expect(
      objectsFromEvent({ 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { key: 'a b' } } }),
    ).toEqual([{ bucket: 'b', key: 'a b' }]);
    expect(objectsFromEvent({ Records: [{ s3: { bucket: { name: 'b' }, object: { key: 'a+b%2Fc' } } }] })).toEqual([
      { bucket: 'b', key: 'a b/c' },
    ]);
  });
});

describe('readConfig', () => {
  const env = { FEATURES: 'amount:numeric,gender:categorical', BASELINE_BUCKET: 'b', BASELINE_KEY: 'k' };

  it('reads defaults', () => {
    expect(readConfig(env)).toMatchObject({ minSamples: 200, minGroupSize: 100, positiveLabel: 1 });
  });

  it.each([
    [{ FEATURES: undefined }, /FEATURES is required/],
    [
      { FEATURES: 'amount:float' },
      /FEATURES is not a feature list: feature "amount:float" must be name:numeric.*got "amount:float"/,
    ],
    [{ MIN_SAMPLES: 'ten' }, /MIN_SAMPLES must be an integer >= 1, got "ten"/],
    [{ SENSITIVE_ATTRIBUTE: 'age' }, /SENSITIVE_ATTRIBUTE must be one of FEATURES \[amount, gender\], got "age"/],
    [{ STATE_PREFIX: 'state' }, /STATE_PREFIX must be a key prefix ending in "\/" without a leading "\/", got "state"/],
    [{ BASELINE_KEY: '' }, /BASELINE_KEY is required/],
  ])('rejects a bad environment %j', (patch, message) => {
    expect(() => readConfig({ ...env, ...patch })).toThrow(ConfigurationError);
    expect(() => readConfig({ ...env, ...patch })).toThrow(message);
  });

  it('rejects a bad environment naming every problem at once', () => {
    // GIVEN three bad variables, one of them the report thresholds checked only when reports are on
    const bad = { ...env, MIN_SAMPLES: '0', BASELINE_KEY: undefined, REPORTS_BUCKET: 'r' };
    // WHEN the environment is read THEN all of them are listed in one error
    expect(() => readConfig(bad)).toThrow(
      [
        'drift detector environment has 5 problems:',
        '  - environment variable MIN_SAMPLES must be an integer >= 1, got "0"',
        '  - environment variable BASELINE_KEY is required but not set (the key of the baseline document)',
        '  - environment variable REPORTS_PREFIX is required when REPORTS_BUCKET is set (e.g. drift-reports/<endpoint>/)',
        '  - environment variable REPORTS_KMS_KEY_ARN is required when REPORTS_BUCKET is set (the key reports are encrypted with)',
        '  - environment variable DRIFT_THRESHOLDS is required when REPORTS_BUCKET is set (JSON of the drift thresholds)',
      ].join('\n'),
    );
  });
});

/** In-memory state store: the window logic of the handler, with the S3 conditional writes tested against moto. */
class MemoryStateStore implements DriftStateStore {
  window?: WindowState;
  readonly claimed = new Set<string>();
  async claimFile(f: FileVersion): Promise<boolean> {
    const id = `${f.bucket}/${f.key}@${f.etag}`;
    if (this.claimed.has(id)) return false;
    this.claimed.add(id);
    return true;
  }
  async releaseFile(f: FileVersion): Promise<void> {
    this.claimed.delete(`${f.bucket}/${f.key}@${f.etag}`);
  }
  async updateWindow(_dims: unknown, update: (current?: WindowState) => WindowState | undefined): Promise<void> {
    this.window = update(this.window);
  }
}

describe('drift detector handler: rolling window of small files', () => {
  const at = (iso: string) => () => new Date(iso);
  const run = (
    store: MemoryStateStore,
    now: () => Date,
    text: string,
    baseline = BASELINE,
    etag = '"e"',
    writeMetrics = emf.write,
  ) => {
    s3.on(GetObjectCommand).resolves({ Body: body(text), ETag: etag });
    return makeHandler({
      s3: new S3Client({ region: 'eu-west-1' }),
      writeMetrics,
      logger: memoryLogger(),
      config,
      baseline: async () => baseline,
      stateStore: store,
      now,
    })(eventFor(KEY));
  };

  it('discards a window older than windowMaxAgeHours, counts its records, and starts a new one', async () => {
    // GIVEN a window of 120 records started at 10:00
    const store = new MemoryStateStore();
    await run(store, at('2026-01-01T10:00:00Z'), captureText(120, 21), BASELINE, '"a"');
    expect(store.window).toMatchObject({ files: 1, startedAt: '2026-01-01T10:00:00.000Z' });
    emf.clear();
    // WHEN 100 more records arrive 25 hours later (windowMaxAgeHours 24)
    await run(store, at('2026-01-02T11:00:00Z'), captureText(100, 22), BASELINE, '"b"');
    // THEN the stale 120 are reported as expired, not judged with the new 100 (220 >= 200 would have been judged)
    const data = published();
    expect(data.find((d) => d.MetricName === 'ExpiredWindowRecords')?.Value).toBe(120);
    expect(names(data)).not.toContain('PredictionPSI');
    expect(store.window).toMatchObject({ files: 1, startedAt: '2026-01-02T11:00:00.000Z' });
    expect(store.window!.counts.samples).toBe(100);
  });

  it('discards a window counted against another baseline', async () => {
    const store = new MemoryStateStore();
    await run(store, at('2026-01-01T10:00:00Z'), captureText(150, 23), BASELINE, '"a"');
    emf.clear();
    const rebuilt = { ...BASELINE, createdAt: '2026-02-01T00:00:00.000Z' };
    await run(store, at('2026-01-01T11:00:00Z'), captureText(100, 24), rebuilt, '"b"');
    expect(published().find((d) => d.MetricName === 'ExpiredWindowRecords')?.Value).toBe(150);
  });

  it('judges the window once it reaches minSamples, with the statistics of all its records', async () => {
    // GIVEN two files of 120 records, 10 minutes apart
    const store = new MemoryStateStore();
    await run(store, at('2026-01-01T10:00:00Z'), captureText(120, 25), BASELINE, '"a"');
    emf.clear();
    await run(store, at('2026-01-01T10:10:00Z'), captureText(120, 26), BASELINE, '"b"');
    // THEN 240 records are judged together and the window is emptied
    const data = published();
    expect(data.find((d) => d.MetricName === 'WindowSampleCount')?.Value).toBe(240);
    expect(data.find((d) => d.MetricName === 'SampleCount')?.Value).toBe(120);
    expect(names(data)).toContain('PredictionPSI');
    expect(store.window).toBeUndefined();
  });

  it('skips a redelivery of the same ETag and releases the claim when publishing fails', async () => {
    // GIVEN a metric writer that fails (stdout closed)
    const store = new MemoryStateStore();
    const closed = () => {
      throw new Error('write EPIPE');
    };
    // WHEN a file is judged THEN the event fails and the claim is released, so the retry judges the file
    await expect(run(store, at('2026-01-01T10:00:00Z'), captureText(300, 27), BASELINE, '"e"', closed)).rejects.toThrow(
      /EPIPE/,
    );
    expect(store.claimed.size).toBe(0);
    // AND a redelivery after a published run is recognised
    expect((await run(store, at('2026-01-01T10:01:00Z'), captureText(300, 27))).objects[0]?.status).toBe('published');
    expect((await run(store, at('2026-01-01T10:02:00Z'), captureText(300, 27))).objects[0]?.status).toBe('duplicate');
  });
});
