/**
 * The real handler and a real S3 client against moto_server: drifted and undrifted capture files (same synthetic
 * generator as the baseline, shifted distributions for the drifted one) go in; the metrics are read back from the
 * EMF lines the handler writes (in Lambda, stdout -> the log group -> CloudWatch metrics).
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EmfSink } from '../support/emf-sink';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/drift-detector/handler';
import { captureText } from '../../scripts/make-example-data';
import { useMoto } from '../support/aws-env';
import {
  captureKey as keyFor,
  createDriftBuckets,
  fraudDetectorEnv,
  driftStat,
  objectCreated,
} from '../support/drift-fixtures';
import { readConfig } from '../../lambda/drift-detector/settings';
import { makeBaselineLoader } from '../../lambda/drift-detector/baseline-loader';

const CAPTURE = 'capture-bucket';
const ASSETS = 'assets-bucket';
const event = (key: string) => objectCreated(CAPTURE, key);

describe('drift detector against moto_server', () => {
  const moto = useMoto();
  let s3: S3Client;
  const emf = new EmfSink();
  let handler: ReturnType<typeof makeHandler>;
  const logger = memoryLogger();

  beforeAll(async () => {
    s3 = new S3Client(moto.clientConfig());
    await createDriftBuckets(s3, CAPTURE, ASSETS);
    // Undrifted traffic on variant Blue, drifted traffic on variant Green: the variant comes from the key.
    await s3.send(
      new PutObjectCommand({ Bucket: CAPTURE, Key: keyFor('Blue', 'a.jsonl'), Body: captureText(2000, 101) }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: CAPTURE,
        Key: keyFor('Green', 'a.jsonl.gz'),
        Body: gzipSync(captureText(2000, 102, { drifted: true })),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: CAPTURE,
        Key: keyFor('Broken', 'a.jsonl'),
        Body: 'garbage\n{"captureData": 1}\n',
      }),
    );
    const config = readConfig(fraudDetectorEnv(ASSETS));
    handler = makeHandler({ s3, writeMetrics: emf.write, logger, config, baseline: makeBaselineLoader(s3, config) });
  });

  afterAll(() => {
    s3?.destroy();
  });

  const stat = (metric: string, variant: string, feature?: string) =>
    driftStat(emf, metric, variant, 'Maximum', feature);

  it('processes a malformed file without failing, then the drifted and undrifted files', async () => {
    // WHEN the broken file arrives first, then the two real ones
    const broken = await handler(event(keyFor('Broken', 'a.jsonl')));
    const blue = await handler(event(keyFor('Blue', 'a.jsonl')));
    const green = await handler(event(keyFor('Green', 'a.jsonl.gz')));
    // THEN
    expect(broken.objects[0]).toMatchObject({ status: 'published', sampleCount: 0, malformedRecords: 2 });
    expect(blue.objects[0]).toMatchObject({ status: 'published', sampleCount: 2000, malformedRecords: 0 });
    expect(green.objects[0]).toMatchObject({ status: 'published', sampleCount: 2000, malformedRecords: 0 });
  });

  it('reads back drifted feature PSI above the 0.2 threshold and undrifted below it', async () => {
    for (const feature of ['amount', 'merchant_category', 'account_age_days']) {
      expect(await stat('FeaturePSI', 'Green', feature)).toBeGreaterThan(0.2);
      expect(await stat('FeaturePSI', 'Blue', feature)).toBeLessThan(0.2);
    }
    // gender did not shift in the drifted scenario
    expect(await stat('FeaturePSI', 'Green', 'gender')).toBeLessThan(0.2);
    expect(await stat('MaxFeaturePSI', 'Green')).toBeGreaterThan(0.2);
    expect(await stat('MaxFeaturePSI', 'Blue')).toBeLessThan(0.2);
    expect(await stat('FeatureKS', 'Green', 'amount')).toBeGreaterThan(0.2);
    expect(await stat('FeatureKS', 'Blue', 'amount')).toBeLessThan(0.2);
    expect(await stat('FeatureJSDistance', 'Green', 'merchant_category')).toBeGreaterThan(0.1);
    expect(await stat('FeatureJSDistance', 'Blue', 'merchant_category')).toBeLessThan(0.1);
  });

  it('reads back prediction drift and fair outcomes across gender', async () => {
    expect(await stat('PredictionPSI', 'Green')).toBeGreaterThan(0.2);
    expect(await stat('PredictionPSI', 'Blue')).toBeLessThan(0.2);
    expect(await stat('DisparateImpactRatio', 'Blue')).toBeGreaterThan(0.8);
    expect(await stat('DemographicParityDifference', 'Blue')).toBeLessThan(0.1);
  });

  it('published only the counts (samples, malformed by reason, missing predictions) for the broken file', async () => {
    const listed = emf.data().filter((d) => d.Dimensions.some((x) => x.Name === 'VariantName' && x.Value === 'Broken'));
    expect([...new Set(listed.map((m) => m.MetricName))].sort()).toEqual([
      'MalformedRecords',
      'MissingPredictions',
      'SampleCount',
    ]);
    expect(await stat('MalformedRecords', 'Broken')).toBe(2);
  });
});
