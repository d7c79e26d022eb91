/**
 * The drift detector Lambda (lambda/drift-detector), hosted by HardenedFunction: its statements, its environment
 * (rendered by the contracts in core/contracts) and the findings its policy accepts.
 */
import {
  Duration,
  Stack,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_assets as s3assets,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DriftDetectorEnvironment, driftDetectorEnvironment } from '../../../core/contracts/drift-detector';
import { DRIFT_NAMESPACE } from '../../../core/contracts/drift-metrics';
import {
  DRIFT_REPORT_ENV,
  DriftThresholds,
  driftReportPrefix,
  pickThresholds,
} from '../../../core/contracts/drift-report';
import { endpointLedgerPrefix, groundTruthPrefix } from '../../../core/contracts/quality';
import { findingResource, ScopedAcknowledgement, wildcardResource } from '../../nag/acknowledgements';
import { HardenedFunction, HostedResources, HostedVpc } from '../hardened-function';
import { keyUseThroughService, logGroupWrites } from '../iam-statements';

/** Where the detector writes the drift report of a window that crosses a threshold. */
export interface DriftReportsOptions {
  /** The reports bucket (retained, versioned, KMS: the PlatformStack's reports bucket). */
  readonly bucket: s3.IBucket;
  /** The key reports are encrypted with (SSE-KMS); the detector may only use it through S3. */
  readonly encryptionKey: kms.IKey;
  /**
   * Write a report for every judged window, not only for windows where a metric crosses its threshold.
   * @default false
   */
  readonly allWindows?: boolean;
}

export interface DriftDetectorFunctionProps {
  /** What the detector is told at run time, except the baseline's location and the state bucket. */
  readonly settings: Omit<
    DriftDetectorEnvironment,
    'baselineBucket' | 'baselineKey' | 'stateBucket' | 'ledgerKmsKeyArn'
  >;
  /** The thresholds its reports judge against. */
  readonly reportThresholds: DriftThresholds;
  /** The capture bucket: read under `capturePrefix`, the detector's state kept under `settings.statePrefix`. */
  readonly captureBucket: s3.IBucket;
  /** The capture bucket's key, used through S3 only. */
  readonly captureKey: kms.IKey;
  /** Key prefix of this endpoint's capture files. */
  readonly capturePrefix: string;
  /** The baseline document, readable by the detector only. */
  readonly baseline: s3assets.Asset;
  /** Key of the log group, the environment and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Where the dead-letter queue's alarm goes. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Where reports are written.
   * @default - no reports
   */
  readonly reports?: DriftReportsOptions;
  /**
   * Subnets and security groups to run in.
   * @default - outside a VPC
   */
  readonly vpc?: HostedVpc;
  /** Log retention. */
  readonly logRetention: logs.RetentionDays;
  /** Reserved concurrency. */
  readonly reservedConcurrency: number;
  /** Memory (MiB). */
  readonly memorySize: number;
  /** Timeout. */
  readonly timeout: Duration;
}

export class DriftDetectorFunction extends HardenedFunction {
  constructor(scope: Construct, id: string, props: DriftDetectorFunctionProps) {
    const { endpointName, variantName } = props.settings;
    super(scope, id, {
      name: 'drift-detector',
      description: `Drift and fairness detector for SageMaker endpoint ${endpointName} (${DRIFT_NAMESPACE} metrics)`,
      roleDescription: `Drift detector for ${endpointName}/${variantName}: reads capture files and the baseline, publishes ${DRIFT_NAMESPACE} metrics`,
      statements: (hosted) => detectorStatements(scope, props, hosted),
      encryptionKey: props.encryptionKey,
      deadLetter: {
        queue: {
          alarmTopic: props.alarmTopic,
          description: `capture-file events of ${endpointName} the drift detector could not process`,
        },
      },
      tracing: 'ACTIVE',
      ...(props.vpc
        ? { vpc: props.vpc }
        : {
            outsideVpcReason:
              'This environment has no VPC (environments[].vpc is not set), so there is no private network to place the detector in; it calls only S3 (GetObject on its capture prefix) and KMS over TLS with SigV4 (its metrics leave as log lines). With a VPC configured it runs in the private subnets.',
          }),
      logRetention: props.logRetention,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        ...driftDetectorEnvironment({
          ...props.settings,
          stateBucket: props.captureBucket.bucketName,
          baselineBucket: props.baseline.s3BucketName,
          baselineKey: props.baseline.s3ObjectKey,
          ...(props.settings.quality ? { ledgerKmsKeyArn: props.captureKey.keyArn } : {}),
        }),
        ...reportEnvironment(props),
      },
      asyncInvoke: { retryAttempts: 2, maxEventAge: Duration.hours(6) },
    });
  }

  /** The findings of the detector's policy, one wildcard at a time, with the hosting ones. */
  policyAcknowledgements(props: DriftDetectorFunctionProps): ScopedAcknowledgement[] {
    const stack = Stack.of(this);
    const { captureBucket, capturePrefix } = props;
    const ack = (resource: string, reason: string) => wildcardResource(this.policy, resource, reason);
    return [
      ...this.acknowledgements,
      ack(
        '*',
        'Only actions IAM accepts on "*" alone: X-Ray tracing and, in a VPC, the EC2 ENI calls Lambda makes. MLOPS-IAM-1 fails synth if any other action is added on "*".',
      ),
      ack(
        findingResource(stack, `${captureBucket.bucketArn}/${capturePrefix}*`),
        "Read-only access to this endpoint's own capture prefix; SageMaker names capture files by date and hour at run time.",
      ),
      ...(props.reports
        ? [
            ack(
              findingResource(
                stack,
                `${props.reports.bucket.bucketArn}/${driftReportPrefix(props.settings.endpointName)}*`,
              ),
              "Write-only access to this endpoint's own drift-report prefix; reports are named by the capture file's date, hour and name at run time.",
            ),
          ]
        : []),
      ...(props.settings.quality
        ? [
            ack(
              findingResource(stack, groundTruthArn(props)),
              "Read-only access to this model's own ground-truth prefix; label files are named by whoever delivers the labels.",
            ),
            ack(
              findingResource(stack, ledgerArn(props)),
              "Read/write of this endpoint's own prediction ledgers and the labels joined to them, named by hour and capture file.",
            ),
          ]
        : []),
      ack(
        findingResource(stack, statePrefixArn(props)),
        "Read/write of this endpoint's own detector state (one marker per judged capture file, named by a hash of its key and ETag, and the rolling window); nothing else of the bucket.",
      ),
    ];
  }
}

/** This endpoint's detector state: markers of judged files and the rolling window. */
function statePrefixArn(props: DriftDetectorFunctionProps): string {
  return `${props.captureBucket.bucketArn}/${props.settings.statePrefix}${props.settings.endpointName}/*`;
}

/** This model's ground-truth labels (written by the label producer). */
function groundTruthArn(props: DriftDetectorFunctionProps): string {
  return `${props.captureBucket.bucketArn}/${groundTruthPrefix(props.settings.endpointName)}*`;
}

/** This endpoint's prediction ledgers and the labels joined to them. */
function ledgerArn(props: DriftDetectorFunctionProps): string {
  return `${props.captureBucket.bucketArn}/${endpointLedgerPrefix(props.settings.endpointName)}*`;
}

/** Ground truth in, ledgers kept: only with monitoring.quality. */
function qualityStatements(props: DriftDetectorFunctionProps): iam.PolicyStatement[] {
  if (!props.settings.quality) return [];
  return [
    new iam.PolicyStatement({
      sid: 'ReadGroundTruth',
      actions: ['s3:GetObject'],
      resources: [groundTruthArn(props)],
    }),
    new iam.PolicyStatement({
      sid: 'KeepPredictionLedgers',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [ledgerArn(props)],
    }),
    new iam.PolicyStatement({
      sid: 'ListPredictionLedgers',
      actions: ['s3:ListBucket'],
      resources: [props.captureBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${endpointLedgerPrefix(props.settings.endpointName)}*`] } },
    }),
  ];
}

function detectorStatements(
  scope: Construct,
  props: DriftDetectorFunctionProps,
  hosted: HostedResources,
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  return [
    new iam.PolicyStatement({
      sid: 'ReadCaptureFiles',
      actions: ['s3:GetObject'],
      resources: [`${props.captureBucket.bucketArn}/${props.capturePrefix}*`],
    }),
    keyUseThroughService(scope, 'DecryptCaptureFilesThroughS3', ['kms:Decrypt'], props.captureKey, 's3'),
    new iam.PolicyStatement({
      sid: 'ReadBaseline',
      actions: ['s3:GetObject'],
      resources: [
        stack.formatArn({
          service: 's3',
          region: '',
          account: '',
          resource: props.baseline.s3BucketName,
          resourceName: props.baseline.s3ObjectKey,
        }),
      ],
    }),
    // No cloudwatch:PutMetricData: the detector writes its metrics as Embedded Metric Format lines to its own log
    // group (WriteOwnLogs), and CloudWatch extracts them.
    logGroupWrites(hosted.logGroup),
    new iam.PolicyStatement({
      sid: 'UseEncryptionKey',
      // Decrypt: the environment; GenerateDataKey + Decrypt: sending to the encrypted dead-letter queue.
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [props.encryptionKey.keyArn],
    }),
    new iam.PolicyStatement({
      sid: 'SendToDeadLetterQueue',
      actions: ['sqs:SendMessage'],
      resources: [(hosted.deadLetterQueue as NonNullable<HostedResources['deadLetterQueue']>).queueArn],
    }),
    ...(props.reports
      ? [
          new iam.PolicyStatement({
            sid: 'WriteDriftReports',
            actions: ['s3:PutObject'],
            resources: [`${props.reports.bucket.bucketArn}/${driftReportPrefix(props.settings.endpointName)}*`],
          }),
          keyUseThroughService(
            scope,
            'EncryptDriftReportsThroughS3',
            ['kms:GenerateDataKey'],
            props.reports.encryptionKey,
            's3',
          ),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'KeepDetectorState',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [statePrefixArn(props)],
    }),
    keyUseThroughService(scope, 'EncryptDetectorStateThroughS3', ['kms:GenerateDataKey'], props.captureKey, 's3'),
    ...qualityStatements(props),
  ];
}

/** The detector's report settings (core/contracts/drift-report.ts): bucket, prefix, key and thresholds. */
function reportEnvironment(props: DriftDetectorFunctionProps): Record<string, string> {
  if (!props.reports) return {};
  return {
    [DRIFT_REPORT_ENV.BUCKET]: props.reports.bucket.bucketName,
    [DRIFT_REPORT_ENV.PREFIX]: driftReportPrefix(props.settings.endpointName),
    [DRIFT_REPORT_ENV.KMS_KEY_ARN]: props.reports.encryptionKey.keyArn,
    [DRIFT_REPORT_ENV.ALL_WINDOWS]: String(props.reports.allWindows ?? false),
    [DRIFT_REPORT_ENV.THRESHOLDS]: JSON.stringify(pickThresholds(props.reportThresholds)),
  };
}
