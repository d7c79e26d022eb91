/**
 * DriftMonitor: our own drift and fairness detector for one endpoint variant (SageMaker Model Monitor and Clarify
 * are closed to new customers). Data-capture files land in S3 -> EventBridge "Object Created" -> the detector Lambda
 * (lambda/drift-detector) -> MLOps/Drift metrics -> alarms -> SNS. Model Monitor's data-quality schedule is an
 * optional switch for accounts that still have it.
 *
 * Key policy: the log group, the Lambda environment and the dead-letter queue are encrypted with `encryptionKey`.
 * CloudWatch Logs and EventBridge are service principals, so only the key policy can let them use the key:
 * `DriftMonitor.allowKeyUse(key)` adds those statements. The construct calls it itself when the key is a `kms.Key`
 * of the same stack; for a key owned by another stack (the PlatformStack), call it once there.
 */
import {
  Annotations,
  ArnFormat,
  Aws,
  CfnMapping,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_lambda_nodejs as nodejs,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_assets as s3assets,
  aws_sagemaker as sagemaker,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue';
import { lambdaCodeProps } from './lambda-bundling';
import { allowServiceKeyUse } from './key-grants';
import { acknowledge, findingResource, PackName } from '../nag/acknowledgements';
import { MonitoringConfig } from '../config/schema';
import { DRIFT_REPORT_ENV, driftReportPrefix, latestReportKey, pickThresholds } from '../contracts/drift-report';
import { baselineFileProblems } from '../config/baseline-file';
import { MONITORING_SCHEDULE_SUFFIX } from '../config/names';
import { DRIFT_METRICS, DRIFT_NAMESPACE } from '../contracts/drift-metrics';

export { DRIFT_METRICS, DRIFT_NAMESPACE } from '../contracts/drift-metrics';

/** Namespace Model Monitor publishes data-quality metrics to (when `publish_cloudwatch_metrics` is Enabled). */
export const MODEL_MONITOR_NAMESPACE = 'aws/sagemaker/Endpoints/data-metrics';

/**
 * Accounts serving the Model Monitor analyzer image, per commercial region
 * (docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-pre-built-container.html).
 */
const MODEL_MONITOR_IMAGE_ACCOUNTS: Record<string, string> = {
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
  'af-south-1': '875698925577',
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ca-central-1': '536280801234',
  'eu-central-1': '048819808253',
  'eu-north-1': '895015795356',
  'eu-south-1': '933208885752',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
};

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

/** Model Monitor baseline files (produced by its suggest-baseline job; our baseline format is not theirs). */
export interface ModelMonitorBaseline {
  /** s3://bucket/key of statistics.json. */
  readonly statisticsS3Uri: string;
  /** s3://bucket/key of constraints.json. */
  readonly constraintsS3Uri: string;
}

export interface DriftMonitorProps {
  /** SageMaker endpoint whose captured traffic is watched. */
  readonly endpointName: string;
  /** Production variant the alarms watch (metrics are published per variant found in the capture keys). */
  readonly variantName: string;
  /** Data-capture bucket (may live in another stack); EventBridge notifications must be enabled on it. */
  readonly captureBucket: s3.IBucket;
  /** The capture bucket's KMS key: the detector may decrypt with it, through S3 only. */
  readonly captureKey: kms.IKey;
  /** Key prefix of this endpoint's capture files, e.g. `datacapture/fraud-xgb/`; no leading `/`, no wildcards. */
  readonly capturePrefix: string;
  /** Local path of the baseline document (`npm run baseline`); shipped as an S3 asset, readable by the detector only. */
  readonly baselineFile: string;
  /** Features (payload order), sensitive attribute, positive label and thresholds, from the validated config. */
  readonly monitoring: MonitoringConfig;
  /** Every alarm notifies this topic. */
  readonly alarmTopic: sns.ITopic;
  /** Customer-managed key for the log group, the Lambda environment and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /**
   * Drift reports: the detector writes the report of each window whose drift or fairness metric crosses its
   * threshold to `s3://<bucket>/drift-reports/<endpoint>/<variant>/...`, and every alarm's description names it.
   * @default - no reports
   */
  readonly reports?: DriftReportsOptions;
  /**
   * Key prefix, in the capture bucket, of the detector's state: one marker per judged capture file (so a
   * redelivered file publishes once) and the rolling window of small files. The state is derived from captured
   * data, so it stays under the capture bucket's key, retention and access logging. Must not overlap `capturePrefix`.
   * @default 'drift-state/'
   */
  readonly statePrefix?: string;
  /**
   * Private subnets and security groups to run the detector in: it reads captured personal data, so where the
   * environment has a VPC the detector runs inside it and reaches S3, CloudWatch and KMS through the VPC endpoints
   * the platform stack creates (`VpcEndpoints`). The security groups must allow HTTPS to those endpoints.
   * @default - outside a VPC (AWS service APIs only, over TLS with SigV4), acknowledged as such
   */
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /**
   * Detector log retention.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency of the detector: caps its share of the account's concurrency and its PutMetricData rate.
   * @default 5
   */
  readonly reservedConcurrency?: number;
  /**
   * Detector memory (MiB); memory is bounded by features x bins, so this is mostly CPU share.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Detector timeout.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Period over which drift alarms average the per-file statistics.
   * @default Duration.hours(1)
   */
  readonly alarmPeriod?: Duration;
  /**
   * Periods (of `alarmPeriod`) a fairness alarm looks at; it fires when `fairnessDatapointsToAlarm` of them breach.
   * Fairness rates are noisier than drift statistics, so one bad hour should not page anyone.
   * @default 3
   */
  readonly fairnessEvaluationPeriods?: number;
  /**
   * Breaching periods out of `fairnessEvaluationPeriods` that fire a fairness alarm.
   * @default 2
   */
  readonly fairnessDatapointsToAlarm?: number;
  /**
   * Also run SageMaker Model Monitor's data-quality job on a schedule (for accounts that still have it).
   * @default false
   */
  readonly modelMonitor?: boolean;
  /**
   * The endpoint resource (e.g. `ModelEndpoint.endpoint`). The Model Monitor schedule names the endpoint by
   * `endpointName` only, so without this dependency a first deploy may create the schedule before the endpoint
   * exists, and SageMaker rejects it.
   * @default - no dependency: a warning is added when `modelMonitor` is true
   */
  readonly endpoint?: IDependable;
  /**
   * Model Monitor's own baseline (statistics.json and constraints.json). Required when `modelMonitor` is true.
   * @default - none
   */
  readonly modelMonitorBaseline?: ModelMonitorBaseline;
  /**
   * Model Monitor analyzer image.
   * @default - the AWS image for the stack's region
   */
  readonly modelMonitorImageUri?: string;
  /**
   * When the Model Monitor job runs (SageMaker accepts hourly or daily cron expressions).
   * @default 'cron(0 * ? * * *)' (hourly)
   */
  readonly modelMonitorSchedule?: string;
  /**
   * Instance type of the Model Monitor processing job.
   * @default 'ml.m5.xlarge'
   */
  readonly modelMonitorInstanceType?: string;
}

function featureSpec(monitoring: MonitoringConfig): string {
  return monitoring.features.map((f) => `${f.name}:${f.type}`).join(',');
}

/** Checks at synth that the baseline was built for these features: a mismatch would fail every file at run time. */
function checkBaselineFile(file: string, monitoring: MonitoringConfig): void {
  const problems = baselineFileProblems(file, monitoring.features);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

export class DriftMonitor extends Construct {
  /**
   * Adds the key-policy statements CloudWatch Logs (encrypted log groups of this account and region) and
   * EventBridge (sending to the encrypted dead-letter queue) need. Call it once in the stack that owns the key;
   * the statements name no resource of a model stack, so they create no cross-stack reference.
   */
  static allowKeyUse(key: kms.IKey): void {
    allowServiceKeyUse(key);
  }

  /** The detector Lambda. */
  readonly function: lambda.IFunction;
  /** Its execution role: only the statements listed in the construct, no managed policies. */
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  /** Events (EventBridge deliveries and Lambda async invocations) that failed every retry. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The baseline document as an S3 asset. */
  readonly baseline: s3assets.Asset;
  /** Per-feature PSI alarms, by feature name. */
  readonly featureDriftAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly predictionDriftAlarm: cloudwatch.Alarm;
  /** Only when monitoring.sensitiveAttribute is set. */
  readonly disparateImpactAlarm?: cloudwatch.Alarm;
  readonly parityDifferenceAlarm?: cloudwatch.Alarm;
  /** "Model drifted": any feature drift OR prediction drift. */
  readonly driftedAlarm: cloudwatch.CompositeAlarm;
  /** Every alarm this construct creates (the lead puts them on the endpoint dashboard / rollback alarms). */
  readonly alarms: readonly cloudwatch.IAlarm[];

  private readonly props: DriftMonitorProps;
  private readonly period: Duration;
  private readonly statePrefix: string;

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    this.props = props;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const reservedConcurrency = props.reservedConcurrency ?? 5;
    const memorySize = props.memorySize ?? 512;
    const timeout = props.timeout ?? Duration.minutes(5);
    this.period = props.alarmPeriod ?? Duration.hours(1);
    const fairnessPeriods = props.fairnessEvaluationPeriods ?? 3;
    const fairnessToAlarm = props.fairnessDatapointsToAlarm ?? 2;
    const { monitoring } = props;
    const thresholds = monitoring.thresholds;
    const statePrefix = props.statePrefix ?? 'drift-state/';
    this.statePrefix = statePrefix;

    if (
      !Token.isUnresolved(props.capturePrefix) &&
      (props.capturePrefix.startsWith('/') || props.capturePrefix.includes('*') || props.capturePrefix === '')
    ) {
      throw new Error(
        `capturePrefix must be a non-empty S3 key prefix without a leading "/" or wildcards, got "${props.capturePrefix}" (e.g. "datacapture/${props.endpointName}/")`,
      );
    }
    if (
      !Token.isUnresolved(statePrefix) &&
      (statePrefix.startsWith('/') ||
        !statePrefix.endsWith('/') ||
        statePrefix.includes('*') ||
        statePrefix.startsWith(props.capturePrefix) ||
        props.capturePrefix.startsWith(statePrefix))
    ) {
      throw new Error(
        `statePrefix must be a key prefix ending in "/", without a leading "/" or wildcards, apart from capturePrefix "${props.capturePrefix}", got "${statePrefix}" (e.g. "drift-state/")`,
      );
    }
    if (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1) {
      throw new Error(`reservedConcurrency must be an integer >= 1, got ${reservedConcurrency}`);
    }
    if (
      !Number.isInteger(fairnessPeriods) ||
      !Number.isInteger(fairnessToAlarm) ||
      fairnessToAlarm < 1 ||
      fairnessToAlarm > fairnessPeriods
    ) {
      throw new Error(
        `fairnessDatapointsToAlarm must be between 1 and fairnessEvaluationPeriods (${fairnessPeriods}), got ${fairnessToAlarm}`,
      );
    }
    const featureNames = monitoring.features.map((f) => f.name);
    if (monitoring.sensitiveAttribute !== undefined && !featureNames.includes(monitoring.sensitiveAttribute)) {
      throw new Error(
        `monitoring.sensitiveAttribute "${monitoring.sensitiveAttribute}" must be one of monitoring.features [${featureNames.join(', ')}]`,
      );
    }
    if (props.modelMonitor === true && props.modelMonitorBaseline === undefined) {
      throw new Error(
        'modelMonitor is true but modelMonitorBaseline is not set: give the statistics.json and constraints.json S3 URIs of a Model Monitor baseline',
      );
    }
    checkBaselineFile(props.baselineFile, monitoring);

    const stack = Stack.of(this);
    if (props.encryptionKey instanceof kms.Key && Stack.of(props.encryptionKey) === stack) {
      DriftMonitor.allowKeyUse(props.encryptionKey);
    }

    this.baseline = new s3assets.Asset(this, 'Baseline', { path: props.baselineFile });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const dlq = new DeadLetterQueue(this, 'DeadLetterQueue', {
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      description: `capture-file events of ${props.endpointName} the drift detector could not process`,
    });
    this.deadLetterQueue = dlq.queue;

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Drift detector for ${props.endpointName}/${props.variantName}: reads capture files and the baseline, publishes ${DRIFT_NAMESPACE} metrics`,
    });
    this.role = role;
    // One customer-managed policy holding every statement, so nothing lands in a DefaultPolicy behind our back:
    // tracing and the dead-letter config are set on the CfnFunction below for that reason.
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCaptureFiles',
          actions: ['s3:GetObject'],
          resources: [`${props.captureBucket.bucketArn}/${props.capturePrefix}*`],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptCaptureFilesThroughS3',
          actions: ['kms:Decrypt'],
          resources: [props.captureKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadBaseline',
          actions: ['s3:GetObject'],
          resources: [
            stack.formatArn({
              service: 's3',
              region: '',
              account: '',
              resource: this.baseline.s3BucketName,
              resourceName: this.baseline.s3ObjectKey,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'PublishDriftMetrics',
          actions: ['cloudwatch:PutMetricData'],
          // PutMetricData has no resource-level permissions; the namespace condition is what scopes it.
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': DRIFT_NAMESPACE } },
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'UseEncryptionKey',
          // Decrypt: the environment; GenerateDataKey + Decrypt: sending to the encrypted dead-letter queue.
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'SendToDeadLetterQueue',
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.queueArn],
        }),
        ...this.reportStatements(props),
        new iam.PolicyStatement({
          sid: 'KeepDetectorState',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [`${props.captureBucket.bucketArn}/${statePrefix}${props.endpointName}/*`],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptDetectorStateThroughS3',
          actions: ['kms:GenerateDataKey'],
          resources: [props.captureKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'WriteTraces',
          // X-Ray trace segments have no resource-level permissions.
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
        ...(props.vpc
          ? [
              new iam.PolicyStatement({
                sid: 'VpcNetworkInterfaces',
                // Lambda manages the function's ENIs in the subnets; these EC2 calls take "*" only.
                actions: [
                  'ec2:CreateNetworkInterface',
                  'ec2:DescribeNetworkInterfaces',
                  'ec2:DeleteNetworkInterface',
                  'ec2:DescribeSubnets',
                  'ec2:DescribeSecurityGroups',
                  'ec2:DescribeVpcs',
                ],
                resources: ['*'],
              }),
            ]
          : []),
      ],
    });

    const fn = new nodejs.NodejsFunction(this, 'Detector', {
      ...lambdaCodeProps('drift-detector'),
      memorySize,
      timeout,
      role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: reservedConcurrency,
      environmentEncryption: props.encryptionKey,
      description: `Drift and fairness detector for SageMaker endpoint ${props.endpointName} (${DRIFT_NAMESPACE} metrics)`,
      environment: {
        FEATURES: featureSpec(monitoring),
        ...(monitoring.sensitiveAttribute !== undefined ? { SENSITIVE_ATTRIBUTE: monitoring.sensitiveAttribute } : {}),
        POSITIVE_LABEL: String(monitoring.positiveLabel),
        MIN_SAMPLES: String(thresholds.minSamples),
        MIN_GROUP_SIZE: String(thresholds.minGroupSize),
        WINDOW_MAX_AGE_HOURS: String(thresholds.windowMaxAgeHours),
        STATE_BUCKET: props.captureBucket.bucketName,
        STATE_PREFIX: statePrefix,
        ENDPOINT_NAME: props.endpointName,
        VARIANT_NAME: props.variantName,
        BASELINE_BUCKET: this.baseline.s3BucketName,
        BASELINE_KEY: this.baseline.s3ObjectKey,
        ...this.reportEnvironment(props),
        LOG_LEVEL: 'INFO',
      },
    });
    const cfnFn = fn.node.defaultChild as lambda.CfnFunction;
    cfnFn.tracingConfig = { mode: 'Active' };
    cfnFn.deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };
    // Ids, not an IVpc: synth makes no lookups. The L1 property keeps the role's policy in our managed policy.
    if (props.vpc) {
      cfnFn.vpcConfig = { subnetIds: [...props.vpc.subnetIds], securityGroupIds: [...props.vpc.securityGroupIds] };
    }
    // Lambda checks the role can use the DLQ when it creates the function: the policy must be attached first.
    fn.node.addDependency(policy);
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    this.function = fn;
    this.acknowledgeFindings(policy, fn, props);

    new events.Rule(this, 'CaptureObjectCreated', {
      description: `New data-capture files of ${props.endpointName} -> drift detector`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.captureBucket.bucketName] },
          object: { key: events.Match.prefix(props.capturePrefix) },
        },
      },
      targets: [
        new targets.LambdaFunction(fn, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    // ---- alarms ----
    const action = new cwActions.SnsAction(props.alarmTopic);
    const alarms: cloudwatch.IAlarm[] = [];
    const reportHint = this.reportHint(props);
    const addAlarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        ...alarmProps,
        alarmDescription: `${alarmProps.alarmDescription}${reportHint}`,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms.push(alarm);
      return alarm;
    };
    const featureAlarms: Record<string, cloudwatch.Alarm> = {};
    monitoring.features.forEach((f, i) => {
      featureAlarms[f.name] = addAlarm(`FeatureDrift${i}`, {
        alarmDescription: `${props.endpointName}/${props.variantName}: feature "${f.name}" drifted: PSI > ${thresholds.psi} (hourly mean of per-file PSI vs the training baseline)`,
        metric: this.featureMetric(DRIFT_METRICS.FEATURE_PSI, f.name),
        threshold: thresholds.psi,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    });
    this.featureDriftAlarms = featureAlarms;
    this.predictionDriftAlarm = addAlarm('PredictionDrift', {
      alarmDescription: `${props.endpointName}/${props.variantName}: prediction distribution drifted: PSI > ${thresholds.predictionPsi}`,
      metric: this.metric(DRIFT_METRICS.PREDICTION_PSI),
      threshold: thresholds.predictionPsi,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (monitoring.sensitiveAttribute !== undefined) {
      this.disparateImpactAlarm = addAlarm('DisparateImpact', {
        alarmDescription: `${props.endpointName}/${props.variantName}: disparate impact across "${monitoring.sensitiveAttribute}" below ${thresholds.disparateImpactMin} (lowest / highest positive-prediction rate)`,
        metric: this.metric(DRIFT_METRICS.DISPARATE_IMPACT_RATIO),
        threshold: thresholds.disparateImpactMin,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: fairnessPeriods,
        datapointsToAlarm: fairnessToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.parityDifferenceAlarm = addAlarm('ParityDifference', {
        alarmDescription: `${props.endpointName}/${props.variantName}: demographic parity difference across "${monitoring.sensitiveAttribute}" above ${thresholds.parityDifferenceMax}`,
        metric: this.metric(DRIFT_METRICS.DEMOGRAPHIC_PARITY_DIFFERENCE),
        threshold: thresholds.parityDifferenceMax,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: fairnessPeriods,
        datapointsToAlarm: fairnessToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.driftedAlarm = new cloudwatch.CompositeAlarm(this, 'ModelDrifted', {
      alarmDescription: `${props.endpointName}/${props.variantName}: model drifted (any feature drift OR prediction drift)${reportHint}`,
      alarmRule: cloudwatch.AlarmRule.anyOf(...Object.values(featureAlarms), this.predictionDriftAlarm),
    });
    this.driftedAlarm.addAlarmAction(action);
    this.driftedAlarm.addOkAction(action);
    alarms.push(this.driftedAlarm);

    if (props.modelMonitor === true) alarms.push(...this.addModelMonitor(props));
    this.alarms = alarms;
  }

  /** s3:PutObject under this endpoint's report prefix, and the reports key through S3 only. */
  private reportStatements(props: DriftMonitorProps): iam.PolicyStatement[] {
    if (!props.reports) return [];
    return [
      new iam.PolicyStatement({
        sid: 'WriteDriftReports',
        actions: ['s3:PutObject'],
        resources: [`${props.reports.bucket.bucketArn}/${driftReportPrefix(props.endpointName)}*`],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptDriftReportsThroughS3',
        actions: ['kms:GenerateDataKey'],
        resources: [props.reports.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    ];
  }

  /** The detector's report settings (lib/contracts/drift-report.ts): bucket, prefix, key and thresholds. */
  private reportEnvironment(props: DriftMonitorProps): Record<string, string> {
    if (!props.reports) return {};
    return {
      [DRIFT_REPORT_ENV.BUCKET]: props.reports.bucket.bucketName,
      [DRIFT_REPORT_ENV.PREFIX]: driftReportPrefix(props.endpointName),
      [DRIFT_REPORT_ENV.KMS_KEY_ARN]: props.reports.encryptionKey.keyArn,
      [DRIFT_REPORT_ENV.ALL_WINDOWS]: String(props.reports.allWindows ?? false),
      [DRIFT_REPORT_ENV.THRESHOLDS]: JSON.stringify(pickThresholds(props.monitoring.thresholds)),
    };
  }

  /** Appended to every alarm description, so the notification names the report of the drifted window. */
  private reportHint(props: DriftMonitorProps): string {
    if (!props.reports) return '';
    const prefix = driftReportPrefix(props.endpointName);
    return ` Report of the last drifted window: s3://${props.reports.bucket.bucketName}/${latestReportKey(prefix, props.variantName)} (every one: ${prefix}${props.variantName}/YYYY/MM/DD/HH/).`;
  }

  /** A detector metric with this construct's EndpointName and VariantName dimensions. */
  metric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: DRIFT_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.AVERAGE,
      period: this.period,
      ...options,
      dimensionsMap: {
        EndpointName: this.props.endpointName,
        VariantName: this.props.variantName,
        ...options.dimensionsMap,
      },
    });
  }

  /** A per-feature detector metric (FeaturePSI, FeatureKS, FeatureJSDistance). */
  featureMetric(metricName: string, feature: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(metricName, { ...options, dimensionsMap: { ...options.dimensionsMap, Feature: feature } });
  }

  /** Drift and fairness graphs for the endpoint dashboard. */
  /** The detector's accepted findings, one by one, with the reason each is needed. */
  private acknowledgeFindings(policy: iam.ManagedPolicy, fn: lambda.Function, props: DriftMonitorProps): void {
    const stack = Stack.of(this);
    const iam5 = (resource: string, reason: string) =>
      acknowledge(policy, { pack: 'AwsSolutions', id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    iam5(
      '*',
      'Only actions IAM accepts on "*" alone: cloudwatch:PutMetricData (pinned to the MLOps/Drift namespace by condition), X-Ray tracing and, in a VPC, the EC2 ENI calls Lambda makes. MLOPS-IAM-1 fails synth if any other action is added on "*".',
    );
    iam5(
      findingResource(stack, `${props.captureBucket.bucketArn}/${props.capturePrefix}*`),
      "Read-only access to this endpoint's own capture prefix; SageMaker names capture files by date and hour at run time.",
    );
    if (props.reports) {
      iam5(
        findingResource(stack, `${props.reports.bucket.bucketArn}/${driftReportPrefix(props.endpointName)}*`),
        "Write-only access to this endpoint's own drift-report prefix; reports are named by the capture file's date, hour and name at run time.",
      );
    }
    iam5(
      findingResource(stack, `${props.captureBucket.bucketArn}/${this.statePrefix}${props.endpointName}/*`),
      "Read/write of this endpoint's own detector state (one marker per judged capture file, named by a hash of its key and ETag, and the rolling window); nothing else of the bucket.",
    );
    // Only where the environment has no VPC: with one, the detector runs inside it (no finding to acknowledge).
    for (const pack of props.vpc ? [] : (['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'] as PackName[])) {
      acknowledge(fn, {
        pack,
        id: `${pack}-LambdaInsideVPC`,
        reason:
          'This environment has no VPC (environments[].vpc is not set), so there is no private network to place the detector in; it calls only S3 (GetObject on its capture prefix), CloudWatch and KMS over TLS with SigV4. With a VPC configured it runs in the private subnets.',
      });
    }
    const invokeConfig = fn.node.tryFindChild('EventInvokeConfig');
    if (invokeConfig) {
      acknowledge(invokeConfig, {
        pack: 'Serverless',
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason:
          "Failed asynchronous invocations go to the function's dead-letter queue (DeadLetterConfig), which keeps them 14 days and alarms on the first one; an on-failure destination would duplicate it.",
      });
    }
  }

  widgets(): cloudwatch.IWidget[] {
    const { monitoring } = this.props;
    const t = monitoring.thresholds;
    const numeric = monitoring.features.filter((f) => f.type === 'numeric');
    const out: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: `Feature drift (PSI) — ${this.props.endpointName}/${this.props.variantName}`,
        left: [
          ...monitoring.features.map((f) => this.featureMetric(DRIFT_METRICS.FEATURE_PSI, f.name, { label: f.name })),
          this.metric(DRIFT_METRICS.MAX_FEATURE_PSI, {
            label: 'max over features',
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        ],
        leftAnnotations: [{ value: t.psi, label: `PSI alarm ${t.psi}`, color: cloudwatch.Color.RED }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Feature drift (Jensen-Shannon distance, KS)',
        left: monitoring.features.map((f) =>
          this.featureMetric(DRIFT_METRICS.FEATURE_JS_DISTANCE, f.name, { label: `JS ${f.name}` }),
        ),
        right: numeric.map((f) => this.featureMetric(DRIFT_METRICS.FEATURE_KS, f.name, { label: `KS ${f.name}` })),
        leftAnnotations: [{ value: t.jsDistance, label: `JS ${t.jsDistance}` }],
        rightAnnotations: [{ value: t.ks, label: `KS ${t.ks}` }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Prediction drift (PSI)',
        left: [this.metric(DRIFT_METRICS.PREDICTION_PSI, { label: 'prediction PSI' })],
        leftAnnotations: [{ value: t.predictionPsi, label: `alarm ${t.predictionPsi}`, color: cloudwatch.Color.RED }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Records analysed',
        left: [this.metric(DRIFT_METRICS.SAMPLE_COUNT, { label: 'records', statistic: cloudwatch.Stats.SUM })],
        right: [
          this.metric(DRIFT_METRICS.MALFORMED_RECORDS, { label: 'malformed', statistic: cloudwatch.Stats.SUM }),
          this.metric(DRIFT_METRICS.MISSING_PREDICTIONS, {
            label: 'missing predictions',
            statistic: cloudwatch.Stats.SUM,
          }),
          this.metric(DRIFT_METRICS.DUPLICATE_FILES, { label: 'redelivered files', statistic: cloudwatch.Stats.SUM }),
          this.metric(DRIFT_METRICS.FAIRNESS_GROUPS_EXCLUDED, {
            label: 'fairness groups below min size',
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        ],
        width: 8,
      }),
    ];
    if (monitoring.sensitiveAttribute !== undefined) {
      out.push(
        new cloudwatch.GraphWidget({
          title: `Fairness across ${monitoring.sensitiveAttribute}`,
          left: [this.metric(DRIFT_METRICS.DISPARATE_IMPACT_RATIO, { label: 'disparate impact ratio' })],
          right: [this.metric(DRIFT_METRICS.DEMOGRAPHIC_PARITY_DIFFERENCE, { label: 'demographic parity difference' })],
          leftAnnotations: [
            { value: t.disparateImpactMin, label: `DI min ${t.disparateImpactMin}`, color: cloudwatch.Color.RED },
          ],
          rightAnnotations: [
            { value: t.parityDifferenceMax, label: `DPD max ${t.parityDifferenceMax}`, color: cloudwatch.Color.ORANGE },
          ],
          width: 8,
        }),
      );
    }
    out.push(
      new cloudwatch.AlarmStatusWidget({ title: 'Drift and fairness alarms', alarms: [...this.alarms], width: 24 }),
    );
    return out;
  }

  private addModelMonitor(props: DriftMonitorProps): cloudwatch.IAlarm[] {
    const stack = Stack.of(this);
    const mmBaseline = props.modelMonitorBaseline as ModelMonitorBaseline;
    const s3ObjectArn = (uri: string, what: string) => {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!m) throw new Error(`modelMonitorBaseline.${what} must be an s3://bucket/key URI, got "${uri}"`);
      return `arn:${stack.partition}:s3:::${m[1]}/${m[2]}`;
    };
    let imageUri = props.modelMonitorImageUri;
    if (imageUri === undefined) {
      if (!Token.isUnresolved(stack.region) && MODEL_MONITOR_IMAGE_ACCOUNTS[stack.region] === undefined) {
        throw new Error(
          `no Model Monitor image known for region ${stack.region}; set modelMonitorImageUri (see the SageMaker "pre-built container" docs)`,
        );
      }
      const mapping = new CfnMapping(this, 'ModelMonitorImageAccounts', {
        mapping: Object.fromEntries(Object.entries(MODEL_MONITOR_IMAGE_ACCOUNTS).map(([r, a]) => [r, { account: a }])),
      });
      imageUri = `${mapping.findInMap(Aws.REGION, 'account')}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/sagemaker-model-monitor-analyzer`;
    }
    const outputPrefix = `model-monitor/${props.endpointName}/`;
    const role = new iam.Role(this, 'ModelMonitorRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Model Monitor data-quality job for ${props.endpointName}`,
    });
    const policy = new iam.ManagedPolicy(this, 'ModelMonitorPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCaptureAndBaseline',
          actions: ['s3:GetObject'],
          resources: [
            `${props.captureBucket.bucketArn}/${props.capturePrefix}*`,
            s3ObjectArn(mmBaseline.statisticsS3Uri, 'statisticsS3Uri'),
            s3ObjectArn(mmBaseline.constraintsS3Uri, 'constraintsS3Uri'),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ListCapture',
          actions: ['s3:ListBucket'],
          resources: [props.captureBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${props.capturePrefix}*`, `${outputPrefix}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'WriteReports',
          actions: ['s3:PutObject'],
          resources: [`${props.captureBucket.bucketArn}/${outputPrefix}*`],
        }),
        new iam.PolicyStatement({
          sid: 'UseKeys',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.captureKey.keyArn, props.encryptionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'PublishMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': MODEL_MONITOR_NAMESPACE } },
        }),
        new iam.PolicyStatement({
          sid: 'WriteJobLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [
            stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '/aws/sagemaker/ProcessingJobs:*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    const iam5 = (resource: string, reason: string) =>
      acknowledge(policy, { pack: 'AwsSolutions', id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    iam5(
      '*',
      'Only cloudwatch:PutMetricData, pinned to the Model Monitor namespace by condition; IAM accepts it on "*" only.',
    );
    iam5(
      findingResource(stack, `${props.captureBucket.bucketArn}/${props.capturePrefix}*`),
      "The monitoring job reads this endpoint's own capture prefix; capture files are named by date and hour at run time.",
    );
    iam5(
      findingResource(stack, `${props.captureBucket.bucketArn}/${outputPrefix}*`),
      'The monitoring job writes its reports under its own model-monitor/<endpoint>/ prefix, named per run.',
    );
    iam5(
      findingResource(
        stack,
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '/aws/sagemaker/ProcessingJobs:*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
      'SageMaker processing jobs log to the service-owned /aws/sagemaker/ProcessingJobs group with per-job stream names.',
    );
    const jobDefinition = new sagemaker.CfnDataQualityJobDefinition(this, 'DataQualityJobDefinition', {
      roleArn: role.roleArn,
      dataQualityAppSpecification: {
        imageUri,
        environment: { publish_cloudwatch_metrics: 'Enabled' },
      },
      dataQualityBaselineConfig: {
        statisticsResource: { s3Uri: mmBaseline.statisticsS3Uri },
        constraintsResource: { s3Uri: mmBaseline.constraintsS3Uri },
      },
      dataQualityJobInput: {
        endpointInput: {
          endpointName: props.endpointName,
          localPath: '/opt/ml/processing/input/endpoint',
          s3InputMode: 'File',
          s3DataDistributionType: 'FullyReplicated',
        },
      },
      dataQualityJobOutputConfig: {
        kmsKeyId: props.encryptionKey.keyArn,
        monitoringOutputs: [
          {
            s3Output: {
              localPath: '/opt/ml/processing/output',
              s3Uri: `s3://${props.captureBucket.bucketName}/${outputPrefix}`,
              s3UploadMode: 'EndOfJob',
            },
          },
        ],
      },
      jobResources: {
        clusterConfig: {
          instanceCount: 1,
          instanceType: props.modelMonitorInstanceType ?? 'ml.m5.xlarge',
          volumeSizeInGb: 20,
          volumeKmsKeyId: props.encryptionKey.keyArn,
        },
      },
      networkConfig: { enableNetworkIsolation: true, enableInterContainerTrafficEncryption: true },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
    });
    jobDefinition.node.addDependency(policy);
    // The job definition's ARN ends in data-quality-job-definition/<name>; CloudFormation exposes no name attribute.
    const jobDefinitionName = Fn.select(1, Fn.split('/', jobDefinition.attrJobDefinitionArn));
    const scheduleName = `${props.endpointName}${MONITORING_SCHEDULE_SUFFIX}`;
    const schedule = new sagemaker.CfnMonitoringSchedule(this, 'MonitoringSchedule', {
      monitoringScheduleName: scheduleName,
      endpointName: props.endpointName,
      monitoringScheduleConfig: {
        monitoringType: 'DataQuality',
        monitoringJobDefinitionName: jobDefinitionName,
        scheduleConfig: { scheduleExpression: props.modelMonitorSchedule ?? 'cron(0 * ? * * *)' },
      },
    });
    if (props.endpoint !== undefined) schedule.node.addDependency(props.endpoint);
    else
      Annotations.of(this).addWarningV2(
        '@mlops/drift-monitor:scheduleWithoutEndpoint',
        `Model Monitor schedule ${scheduleName} names endpoint ${props.endpointName} but does not depend on it; pass the endpoint resource as \`endpoint\` (or deploy the endpoint first)`,
      );
    const action = new cwActions.SnsAction(props.alarmTopic);
    return props.monitoring.features.map((f, i) => {
      const alarm = new cloudwatch.Alarm(this, `ModelMonitorDrift${i}`, {
        alarmDescription: `${props.endpointName}: Model Monitor baseline drift of "${f.name}" > ${props.monitoring.thresholds.ks} (distance between distributions, as Model Monitor computes it)`,
        metric: new cloudwatch.Metric({
          namespace: MODEL_MONITOR_NAMESPACE,
          metricName: `feature_baseline_drift_${f.name}`,
          dimensionsMap: { Endpoint: props.endpointName, MonitoringSchedule: scheduleName },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: this.period,
        }),
        threshold: props.monitoring.thresholds.ks,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      return alarm;
    });
  }
}
