/**
 * The secure defaults of a `ModelEndpoint` used alone: the storage key, the alarm topic and the capture key and
 * bucket the props may leave out are made here (customer-managed keys with rotation, a TLS-only encrypted topic, a
 * capture bucket with the policy's controls); given ones are used as they are.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowServiceKeyUse } from './key-grants';
import { DataCaptureOptions, ModelEndpointProps } from './model-endpoint-props';
import { SecureBucket } from './secure-bucket';

/** Data capture with its bucket, prefix and key resolved. */
export interface ResolvedDataCapture extends DataCaptureOptions {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly encryptionKey: kms.IKey;
}

/** The props with the resources they may leave out made (`resolveEndpointResources`). */
export interface ResolvedEndpointProps extends ModelEndpointProps {
  readonly storageKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly dataCapture?: ResolvedDataCapture;
}

/** Captured data lands under this prefix of the bucket unless `dataCapture.prefix` says otherwise. */
const DEFAULT_CAPTURE_PREFIX = 'datacapture';
const DEFAULT_CAPTURE_RETENTION_DAYS = 30;
/**
 * The resources the props may leave out, made in `scope` with secure defaults: customer-managed keys with rotation,
 * a TLS-only encrypted topic, a capture bucket with the policy's controls. Given ones are used as they are.
 */
export function resolveEndpointResources(scope: Construct, props: ModelEndpointProps): ResolvedEndpointProps {
  const newKey = (id: string, purpose: string) =>
    new kms.Key(scope, id, {
      description: `${props.endpointName}: ${purpose}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
  const storageKey = props.storageKey ?? newKey('StorageKey', 'ML storage volumes, alarm topic, drift monitor logs');
  let alarmTopic = props.alarmTopic;
  if (!alarmTopic) {
    // CloudWatch alarms publish to an encrypted topic only if the key policy lets them.
    allowServiceKeyUse(storageKey);
    alarmTopic = new sns.Topic(scope, 'AlarmTopic', {
      displayName: `${props.endpointName} alarms`,
      masterKey: storageKey,
      enforceSSL: true,
    });
  }
  const { dataCapture, ...rest } = props;
  return {
    ...rest,
    storageKey,
    alarmTopic,
    ...(dataCapture ? { dataCapture: resolveCapture(scope, dataCapture, newKey) } : {}),
  };
}

function resolveCapture(
  scope: Construct,
  capture: DataCaptureOptions,
  newKey: (id: string, purpose: string) => kms.IKey,
): ResolvedDataCapture {
  const encryptionKey = capture.encryptionKey ?? newKey('CaptureKey', 'captured inference data');
  const prefix = capture.prefix ?? DEFAULT_CAPTURE_PREFIX;
  if (capture.bucket) return { ...capture, encryptionKey, prefix, bucket: capture.bucket };
  const accessLogs = new SecureBucket(scope, 'AccessLogsBucket', { purpose: 'access-logs', expirationDays: 365 });
  // Noncurrent versions live one more day: current objects expire a day early, so a record's whole life stays
  // within the retention period.
  const bucket = new SecureBucket(scope, 'CaptureBucket', {
    purpose: 'data-capture',
    encryptionKey,
    accessLogsBucket: accessLogs.bucket,
    expirationDays: (capture.retentionDays ?? DEFAULT_CAPTURE_RETENTION_DAYS) - 1,
    noncurrentExpirationDays: 1,
    eventBridgeEnabled: true,
  });
  return { ...capture, encryptionKey, prefix, bucket: bucket.bucket };
}

/** `prefix` without leading or trailing slashes: how a capture prefix is joined into keys and ARNs. */
export function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}
