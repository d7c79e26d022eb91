/**
 * SageMaker Model Monitor's data-quality schedule, for accounts that still have Model Monitor: it runs beside our own
 * detector, reads the endpoint's captured data and publishes per-feature baseline drift, which alarms here watch.
 */
import {
  Annotations,
  ArnFormat,
  Aws,
  CfnMapping,
  Duration,
  Fn,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  aws_sagemaker as sagemaker,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { MONITORING_SCHEDULE_SUFFIX } from '../../../core/defaults/names';
import {
  applyAcknowledgements,
  findingResource,
  ScopedAcknowledgement,
  wildcardResource,
} from '../../nag/acknowledgements';
import { putMetricDataIn } from '../iam-statements';
import { validationError } from '../validation-error';
import { DriftAlarmFactory } from './alarms';

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

/** Model Monitor baseline files (produced by its suggest-baseline job; our baseline format is not theirs). */
export interface ModelMonitorBaseline {
  /** s3://bucket/key of statistics.json. */
  readonly statisticsS3Uri: string;
  /** s3://bucket/key of constraints.json. */
  readonly constraintsS3Uri: string;
}

/** What a DriftMonitor user sets to switch Model Monitor on. */
export interface ModelMonitorOptions {
  /** Model Monitor's own baseline (statistics.json and constraints.json). */
  readonly baseline: ModelMonitorBaseline;
  /**
   * The endpoint resource (e.g. `ModelEndpoint.endpoint`). The schedule names the endpoint by name only, so without
   * this dependency a first deploy may create the schedule before the endpoint exists, and SageMaker rejects it.
   * @default - no dependency: a warning is added
   */
  readonly endpoint?: IDependable;
  /**
   * Model Monitor analyzer image.
   * @default - the AWS image for the stack's region
   */
  readonly imageUri?: string;
  /**
   * When the job runs (SageMaker accepts hourly or daily cron expressions).
   * @default 'cron(0 * ? * * *)' (hourly)
   */
  readonly scheduleExpression?: string;
  /**
   * Instance type of the processing job.
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: string;
}

export interface ModelMonitorScheduleProps extends ModelMonitorOptions {
  /** The endpoint whose captured data the job reads. */
  readonly endpointName: string;
  /** The data-capture bucket; the job writes its reports under `model-monitor/<endpoint>/` of it. */
  readonly captureBucket: s3.IBucket;
  /** The capture bucket's KMS key. */
  readonly captureKey: kms.IKey;
  /** Key prefix of this endpoint's capture files. */
  readonly capturePrefix: string;
  /** Key of the job's output and volume. */
  readonly encryptionKey: kms.IKey;
  /** The features alarmed on, by name. */
  readonly features: readonly string[];
  /** Baseline drift (Model Monitor's distance) above which a feature alarms. */
  readonly driftThreshold: number;
  /** Period of the alarms. */
  readonly alarmPeriod: Duration;
  /** Every alarm notifies this topic. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * The schedule is this construct's default child (`Default`), so it keeps the logical id it had as a direct child
 * of DriftMonitor: it has a physical name, and a new logical id would make CloudFormation create a second schedule
 * of the same name before deleting the first, which SageMaker refuses.
 */
export class ModelMonitorSchedule extends Construct {
  public readonly schedule: sagemaker.CfnMonitoringSchedule;
  public readonly jobDefinition: sagemaker.CfnDataQualityJobDefinition;
  public readonly role: iam.Role;
  /** Baseline-drift alarms, by feature name. */
  public readonly featureDriftAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  public readonly alarms: readonly cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: ModelMonitorScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const scheduleExpression = props.scheduleExpression ?? 'cron(0 * ? * * *)';
    const instanceType = props.instanceType ?? 'ml.m5.xlarge';
    const statisticsArn = this.parseS3Uri('baseline.statisticsS3Uri', props.baseline.statisticsS3Uri);
    const constraintsArn = this.parseS3Uri('baseline.constraintsS3Uri', props.baseline.constraintsS3Uri);
    const imageUri = props.imageUri ?? this.renderDefaultImageUri();
    const outputPrefix = `model-monitor/${props.endpointName}/`;
    const jobLogs = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws/sagemaker/ProcessingJobs:*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Model Monitor data-quality job for ${props.endpointName}`,
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCaptureAndBaseline',
          actions: ['s3:GetObject'],
          resources: [`${props.captureBucket.bucketArn}/${props.capturePrefix}*`, statisticsArn, constraintsArn],
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
        putMetricDataIn('PublishMetrics', MODEL_MONITOR_NAMESPACE),
        new iam.PolicyStatement({
          sid: 'WriteJobLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [jobLogs],
        }),
      ],
    });

    this.jobDefinition = new sagemaker.CfnDataQualityJobDefinition(this, 'JobDefinition', {
      roleArn: this.role.roleArn,
      dataQualityAppSpecification: { imageUri, environment: { publish_cloudwatch_metrics: 'Enabled' } },
      dataQualityBaselineConfig: {
        statisticsResource: { s3Uri: props.baseline.statisticsS3Uri },
        constraintsResource: { s3Uri: props.baseline.constraintsS3Uri },
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
          instanceType,
          volumeSizeInGb: 20,
          volumeKmsKeyId: props.encryptionKey.keyArn,
        },
      },
      networkConfig: { enableNetworkIsolation: true, enableInterContainerTrafficEncryption: true },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
    });
    this.jobDefinition.node.addDependency(policy);

    // The job definition's ARN ends in data-quality-job-definition/<name>; CloudFormation exposes no name attribute.
    const jobDefinitionName = Fn.select(1, Fn.split('/', this.jobDefinition.attrJobDefinitionArn));
    const scheduleName = `${props.endpointName}${MONITORING_SCHEDULE_SUFFIX}`;
    this.schedule = new sagemaker.CfnMonitoringSchedule(this, 'Default', {
      monitoringScheduleName: scheduleName,
      endpointName: props.endpointName,
      monitoringScheduleConfig: {
        monitoringType: 'DataQuality',
        monitoringJobDefinitionName: jobDefinitionName,
        scheduleConfig: { scheduleExpression },
      },
    });
    if (props.endpoint !== undefined) this.schedule.node.addDependency(props.endpoint);
    else
      Annotations.of(this).addWarningV2(
        '@mlops/drift-monitor:scheduleWithoutEndpoint',
        `Model Monitor schedule ${scheduleName} names endpoint ${props.endpointName} but does not depend on it; pass the endpoint resource as \`endpoint\` (or deploy the endpoint first)`,
      );

    const alarms = new DriftAlarmFactory({ alarmTopic: props.alarmTopic, notifyOk: false });
    const byFeature = new Construct(this, 'FeatureDrift');
    const featureAlarms: Record<string, cloudwatch.Alarm> = {};
    for (const feature of props.features) {
      featureAlarms[feature] = alarms.addAlarm(byFeature, feature, {
        description: `${props.endpointName}: Model Monitor baseline drift of "${feature}" > ${props.driftThreshold} (distance between distributions, as Model Monitor computes it)`,
        metric: new cloudwatch.Metric({
          namespace: MODEL_MONITOR_NAMESPACE,
          metricName: `feature_baseline_drift_${feature}`,
          dimensionsMap: { Endpoint: props.endpointName, MonitoringSchedule: scheduleName },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: props.alarmPeriod,
        }),
        threshold: props.driftThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    this.featureDriftAlarms = featureAlarms;
    this.alarms = Object.values(featureAlarms);

    applyAcknowledgements(this.policyAcknowledgements(policy, props, outputPrefix, jobLogs));
  }

  /** The ARN of the object an s3://bucket/key URI names. */
  private parseS3Uri(field: string, uri: string): string {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw validationError(this, field, uri, 'must be an s3://bucket/key URI');
    return `arn:${Stack.of(this).partition}:s3:::${m[1]}/${m[2]}`;
  }

  /** The AWS analyzer image of the deployment region, looked up in a mapping so one template serves every region. */
  private renderDefaultImageUri(): string {
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && MODEL_MONITOR_IMAGE_ACCOUNTS[region] === undefined) {
      throw validationError(
        this,
        'imageUri',
        undefined,
        `must be set: no Model Monitor image is known for region ${region} (see the SageMaker "pre-built container" docs)`,
      );
    }
    const mapping = new CfnMapping(this, 'ImageAccounts', {
      mapping: Object.fromEntries(Object.entries(MODEL_MONITOR_IMAGE_ACCOUNTS).map(([r, a]) => [r, { account: a }])),
    });
    return `${mapping.findInMap(Aws.REGION, 'account')}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/sagemaker-model-monitor-analyzer`;
  }

  private policyAcknowledgements(
    policy: iam.ManagedPolicy,
    props: ModelMonitorScheduleProps,
    outputPrefix: string,
    jobLogs: string,
  ): ScopedAcknowledgement[] {
    const stack = Stack.of(this);
    return [
      wildcardResource(
        policy,
        '*',
        'Only cloudwatch:PutMetricData, pinned to the Model Monitor namespace by condition; IAM accepts it on "*" only.',
      ),
      wildcardResource(
        policy,
        findingResource(stack, `${props.captureBucket.bucketArn}/${props.capturePrefix}*`),
        "The monitoring job reads this endpoint's own capture prefix; capture files are named by date and hour at run time.",
      ),
      wildcardResource(
        policy,
        findingResource(stack, `${props.captureBucket.bucketArn}/${outputPrefix}*`),
        'The monitoring job writes its reports under its own model-monitor/<endpoint>/ prefix, named per run.',
      ),
      wildcardResource(
        policy,
        findingResource(stack, jobLogs),
        'SageMaker processing jobs log to the service-owned /aws/sagemaker/ProcessingJobs group with per-job stream names.',
      ),
    ];
  }
}
