/** A DriftMonitor in a model stack, its capture bucket, key and topic in a platform stack, as in the app. */
import { join } from 'node:path';
import { App, Stack, aws_kms as kms, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DriftMonitor, DriftMonitorProps } from '../../lib/constructs/drift-monitor';
import { FeatureSpec } from '../../core/contracts/drift-detector';
import { SKIP_BUNDLING } from './app';

const BASELINE = join(__dirname, '../../baselines/fraud-xgb.json');
export const FEATURES: readonly FeatureSpec[] = [
  { name: 'amount', type: 'numeric' },
  { name: 'merchant_category', type: 'categorical' },
  { name: 'account_age_days', type: 'numeric' },
  { name: 'gender', type: 'categorical' },
];
export const THRESHOLDS = { psi: 0.25, predictionPsi: 0.3, disparateImpactMin: 0.75, parityDifferenceMax: 0.15 };
export const MODEL_MONITOR_BASELINE = {
  statisticsS3Uri: 's3://mm/base/statistics.json',
  constraintsS3Uri: 's3://mm/base/constraints.json',
};

/** Capture bucket, its key and the topic live in a platform stack; the monitor in a model stack, as in the app. */
export function build(patch: Partial<DriftMonitorProps> = {}) {
  const app = new App({ context: SKIP_BUNDLING });
  const env = { account: '111111111111', region: 'eu-west-1' };
  const platform = new Stack(app, 'Platform', { env });
  const captureKey = new kms.Key(platform, 'CaptureKey', { enableKeyRotation: true });
  const captureBucket = new s3.Bucket(platform, 'Capture', { encryptionKey: captureKey, eventBridgeEnabled: true });
  const alarmTopic = new sns.Topic(platform, 'Alarms');
  const stack = new Stack(app, 'Model', { env });
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const monitor = new DriftMonitor(stack, 'Drift', {
    endpointName: 'fraud-xgb',
    variantName: 'AllTraffic',
    captureBucket,
    captureKey,
    capturePrefix: 'datacapture/fraud-xgb/',
    baselineFile: BASELINE,
    features: FEATURES,
    sensitiveAttribute: 'gender',
    thresholds: THRESHOLDS,
    alarmTopic,
    encryptionKey,
    ...patch,
  });
  return { stack, monitor, template: Template.fromStack(stack) };
}
