/**
 * The detector's state store against moto_server: real S3 conditional writes (If-None-Match for the per-file
 * markers, If-Match for the window), the real handler, metrics read back from its EMF lines.
 *  - a redelivered capture file (same bucket, key and ETag) publishes nothing the second time;
 *  - a run that fails after claiming its file releases the claim, so the retry is judged;
 *  - files each below minSamples are judged together once their window reaches minSamples.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EmfSink } from '../support/emf-sink';
import { MetricWriter } from '../../lambda/drift-detector/metrics';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/drift-detector/handler';
import { S3StateStore } from '../../lambda/drift-detector/state-store';
import { captureText } from '../../scripts/make-example-data';
import { useMoto } from '../support/aws-env';
import {
  BASELINE_KEY,
  captureKey as keyFor,
  createDriftBuckets,
  driftStat,
  objectCreated,
} from '../support/drift-fixtures';
import { DetectorConfig, readConfig } from '../../lambda/drift-detector/settings';
import { makeBaselineLoader } from '../../lambda/drift-detector/baseline-loader';

const CAPTURE = 'state-capture-bucket';
const ASSETS = 'state-assets-bucket';
const event = (key: string) => objectCreated(CAPTURE, key);

describe('drift detector state (dedup, rolling window) against moto_server', () => {
  const moto = useMoto();
  let s3: S3Client;
  const emf = new EmfSink();
  let config: DetectorConfig;
  const logger = memoryLogger();
  const handlerWith = (writeMetrics: MetricWriter = emf.write) =>
    makeHandler({
      s3,
      writeMetrics,
      logger,
      config,
      baseline: makeBaselineLoader(s3, config),
      stateStore: new S3StateStore(s3, CAPTURE, config.statePrefix),
    });

  beforeAll(async () => {
    s3 = new S3Client(moto.clientConfig());
    await createDriftBuckets(s3, CAPTURE, ASSETS);
    config = readConfig({
      FEATURES: 'amount:numeric,merchant_category:categorical,account_age_days:numeric,gender:categorical',
      SENSITIVE_ATTRIBUTE: 'gender',
      MIN_SAMPLES: '200',
      MIN_GROUP_SIZE: '20',
      ENDPOINT_NAME: 'fraud-xgb',
      BASELINE_BUCKET: ASSETS,
      BASELINE_KEY,
      STATE_BUCKET: CAPTURE,
      STATE_PREFIX: 'drift-state/',
    });
  });

  afterAll(() => {
    s3?.destroy();
  });

  const sum = (metric: string, variant: string) => driftStat(emf, metric, variant, 'Sum');

  it('publishes a redelivered file once (same bucket, key and ETag)', async () => {
    // GIVEN one capture file of 300 records
    const key = keyFor('Dedup', 'a.jsonl');
    await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: captureText(300, 7) }));
    const handler = handlerWith();
    // WHEN its event is delivered twice
    const first = await handler(event(key));
    const second = await handler(event(key));
    // THEN the second delivery is recognised and publishes no samples
    expect(first.objects[0]).toMatchObject({ status: 'published', sampleCount: 300 });
    expect(second.objects[0]).toMatchObject({ status: 'duplicate' });
    expect(await sum('SampleCount', 'Dedup')).toBe(300);
    expect(await sum('DuplicateFiles', 'Dedup')).toBe(1);
  });

  it('judges a rewritten object (new ETag) again', async () => {
    const key = keyFor('Dedup', 'a.jsonl');
    await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: captureText(250, 8) }));
    const again = await handlerWith()(event(key));
    expect(again.objects[0]).toMatchObject({ status: 'published', sampleCount: 250 });
  });

  it('releases the claim of a failed run, so the retry is judged', async () => {
    // GIVEN a metric writer that fails (stdout closed) after the file was claimed
    const key = keyFor('Retry', 'a.jsonl');
    await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: captureText(300, 9) }));
    const closed: MetricWriter = () => {
      throw new Error('write EPIPE');
    };
    // WHEN the first run fails, then Lambda retries
    await expect(handlerWith(closed)(event(key))).rejects.toThrow(/drift detection failed for 1 of 1/);
    const retry = await handlerWith()(event(key));
    // THEN the retry is judged, not taken for a redelivery
    expect(retry.objects[0]).toMatchObject({ status: 'published', sampleCount: 300 });
  });

  it('judges small files together once their window reaches minSamples', async () => {
    // GIVEN three files of 80 records each (each alone below minSamples 200)
    const handler = handlerWith();
    const outcomes = [];
    for (const [i, seed] of [11, 12, 13].entries()) {
      const key = keyFor('Window', `f${i}.jsonl`);
      await s3.send(new PutObjectCommand({ Bucket: CAPTURE, Key: key, Body: captureText(80, seed) }));
      // WHEN each arrives
      outcomes.push((await handler(event(key))).objects[0]);
      // THEN drift statistics appear only once 240 >= 200 records are in the window
      if (i < 2) expect(await sum('PredictionPSI', 'Window')).toBeUndefined();
    }
    expect(outcomes.map((o) => o?.sampleCount)).toEqual([80, 80, 80]);
    expect(await sum('WindowSampleCount', 'Window')).toBe(240);
    expect(await sum('PredictionPSI', 'Window')).toBeLessThan(0.2);
    expect(await sum('SampleCount', 'Window')).toBe(240);
    // AND the window was emptied after being judged (stored as null, encrypted by the bucket's default)
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: CAPTURE, Key: 'drift-state/fraud-xgb/Window/window.json' }),
    );
    expect(await stored.Body?.transformToString()).toBe('null');
  });

  it('starts a window afresh when its object is not valid JSON, and says so', async () => {
    // GIVEN a damaged window object
    await s3.send(
      new PutObjectCommand({ Bucket: CAPTURE, Key: 'drift-state/fraud-xgb/Damaged/window.json', Body: '{"bro' }),
    );
    const warnings: string[] = [];
    const store = new S3StateStore(s3, CAPTURE, 'drift-state/', undefined, (m) => warnings.push(m));
    // WHEN a small file updates it
    await store.updateWindow({ endpointName: 'fraud-xgb', variantName: 'Damaged' }, (current) => {
      expect(current).toBeUndefined();
      return undefined;
    });
    // THEN the damage is reported and the window is replaced
    expect(warnings).toEqual(['rolling window state is not valid JSON; started afresh']);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: CAPTURE, Key: 'drift-state/fraud-xgb/Damaged/window.json' }),
    );
    expect(await stored.Body?.transformToString()).toBe('null');
  });
});
