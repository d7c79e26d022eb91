/**
 * What the drift detector's moto tests share: the capture key layout, the EventBridge event, the two buckets with
 * the committed example baseline, and reading a published metric back from the detector's EMF lines (what the
 * function's log group turns into CloudWatch metrics; moto's CloudWatch has no EMF extraction).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EmfSink } from './emf-sink';

export const BASELINE_KEY = 'baselines/fraud-xgb.json';

/** SageMaker's layout: `datacapture/<endpoint>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>`. */
export const captureKey = (variant: string, file: string) =>
  `datacapture/fraud-xgb/fraud-xgb/${variant}/2026/01/01/10/${file}`;

/** The detector's environment for the fraud-xgb example (variant Blue), its baseline in `assets`. */
export const fraudDetectorEnv = (assets: string): Record<string, string> => ({
  FEATURES: 'amount:numeric,merchant_category:categorical,account_age_days:numeric,gender:categorical',
  SENSITIVE_ATTRIBUTE: 'gender',
  POSITIVE_LABEL: '1',
  MIN_SAMPLES: '200',
  ENDPOINT_NAME: 'fraud-xgb',
  VARIANT_NAME: 'Blue',
  BASELINE_BUCKET: assets,
  BASELINE_KEY,
});

export const objectCreated = (bucket: string, key: string) => ({
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: bucket }, object: { key } },
});

/** Creates the capture and assets buckets and puts the committed example baseline in the assets bucket. */
export async function createDriftBuckets(s3: S3Client, capture: string, assets: string): Promise<void> {
  for (const Bucket of [capture, assets])
    await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  await s3.send(
    new PutObjectCommand({
      Bucket: assets,
      Key: BASELINE_KEY,
      Body: readFileSync(join(__dirname, '../../baselines/fraud-xgb.json')),
    }),
  );
}

/**
 * One statistic of a drift metric of an endpoint variant, over the data of the EMF lines written so far with exactly
 * these dimensions (as GetMetricStatistics matches them); undefined without data.
 */
export async function driftStat(
  emf: EmfSink,
  metric: string,
  variant: string,
  statistic: 'Sum' | 'Maximum',
  feature?: string,
  endpointName = 'fraud-xgb',
): Promise<number | undefined> {
  const dimensions = JSON.stringify([
    { Name: 'EndpointName', Value: endpointName },
    { Name: 'VariantName', Value: variant },
    ...(feature ? [{ Name: 'Feature', Value: feature }] : []),
  ]);
  const values = emf
    .data()
    .filter((d) => d.MetricName === metric && JSON.stringify(d.Dimensions) === dimensions)
    .map((d) => d.Value);
  if (values.length === 0) return undefined;
  return statistic === 'Sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
}
