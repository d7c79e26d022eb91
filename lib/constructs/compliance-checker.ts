import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue';
import { lambdaCodeProps } from './lambda-bundling';
import { allowServiceKeyUse } from './key-grants';
import { acknowledge, findingResource, PackName } from '../nag/acknowledgements';
import { rulesFor } from '../policy/catalogue';
import { CompliancePolicy } from '../policy/context';
import { CONFIG_RESOURCE_TYPES, configKindsOf } from '../policy/from-aws';
import { Rule } from '../policy/rule';
import { BUCKET_CONFIGURATION_READS } from '../policy/rules/identity-policy';

/** CloudWatch namespace the checker publishes to; the IAM condition and the alarms both use it. */
export const COMPLIANCE_METRIC_NAMESPACE = 'MLOps/Compliance';

export interface ComplianceCheckerProps {
  /** The policy the rules judge against (from `compliancePolicy(config)`); passed to the function as POLICY_JSON. */
  readonly policy: CompliancePolicy;
  /** Bucket for the scheduled reports (`reports/YYYY/MM/DD/<timestamp>.json` and `reports/latest.json`). */
  readonly reportBucket: s3.IBucket;
  /**
   * Customer-managed key: encrypts report objects (SSE-KMS), the function's log group and environment, and is the
   * key of the alert topic.
   */
  readonly encryptionKey: kms.IKey;
  /** Topic for new violations; also the function's dead-letter target for failed asynchronous invocations. */
  readonly alertTopic: sns.ITopic;
  /**
   * When the scheduled full-account scan runs.
   * @default events.Schedule.rate(Duration.hours(6))
   */
  readonly schedule?: events.Schedule;
  /**
   * Create one AWS Config custom rule per run-time catalogue rule that covers SageMaker or ECR resources.
   * AWS Config rules need a configuration recorder in the account and region; leave this off where there is none.
   * @default false
   */
  readonly configRules?: boolean;
  /**
   * How often AWS Config re-evaluates every resource (the periodic trigger), besides configuration changes.
   * @default config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS
   */
  readonly configRuleFrequency?: config.MaximumExecutionFrequency;
  /**
   * Describe calls the checker keeps in flight at once (SageMaker and ECR throttle per account).
   * @default 8
   */
  readonly concurrency?: number;
  /**
   * Which images the scheduled scan judges: `in-use` (images SageMaker models reference) or `all`.
   * @default 'in-use'
   */
  readonly imageScope?: 'in-use' | 'all';
  /**
   * Concurrent executions reserved (and capped) for the checker, so a burst of Config events cannot starve other
   * functions nor exceed the SageMaker API rate.
   * @default 2
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Function timeout: a full scan of a large account takes minutes at ~120 describe pairs per second.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * Function memory.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Regions the scheduled scan reads SageMaker and ECR resources in (residency: list every region the account
   * uses, so resources outside `policy.allowedRegions` are found). Buckets are listed globally regardless.
   * @default - the stack's region
   */
  readonly scanRegions?: readonly string[];
}

/**
 * The run-time compliance checker: one Lambda function, reached three ways — an EventBridge schedule (account
 * report to S3, metrics, SNS on new violations), AWS Config custom rules (optional, one per catalogue rule), and
 * CodePipeline Lambda actions (the compliance gate, wired by the pipeline through `handler`). It judges live
 * resources with the same rule catalogue the synth-time nag pack uses.
 *
 * IAM: an explicit role with one customer-managed policy of explicit actions (no `grant*()` helpers, no AWS-managed
 * policies). The role is handed to the function as immutable so nothing adds an inline DefaultPolicy behind our back.
 */
export class ComplianceChecker extends Construct {
  /** The checker function; a CodePipeline LambdaInvokeAction targets it for the compliance gate. */
  public readonly handler: nodejs.NodejsFunction;
  /** The execution role. */
  public readonly role: iam.Role;
  /** The function's log group (KMS, retention). */
  public readonly logGroup: logs.LogGroup;
  /** The schedule rule of the account scan. */
  public readonly scheduleRule: events.Rule;
  /** Scheduled events EventBridge could not deliver after its retries. */
  public readonly scheduleDeadLetterQueue: sqs.Queue;
  /** AWS Config rules by catalogue rule id; empty unless `configRules` is true. */
  public readonly configRules: Readonly<Record<string, config.CfnConfigRule>>;
  /** Fires while any violation is open (current or stale): notifies the alert topic. */
  public readonly violationsAlarm: cloudwatch.Alarm;
  /** Fires when a scan could not read something (scan errors, rules not evaluated): notifies the alert topic. */
  public readonly scanIncompleteAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ComplianceCheckerProps) {
    super(scope, id);
    const concurrency = props.concurrency ?? 8;
    const reserved = props.reservedConcurrentExecutions ?? 2;
    const memorySize = props.memorySize ?? 512;
    const timeout = props.timeout ?? Duration.minutes(10);
    const imageScope = props.imageScope ?? 'in-use';
    if (!Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
      throw new Error(`ComplianceChecker ${id}: concurrency must be an integer between 1 and 64, got ${concurrency}`);
    }
    if (!Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
      throw new Error(
        `ComplianceChecker ${id}: reservedConcurrentExecutions must be a whole number >= 1, got ${reserved}`,
      );
    }
    if (timeout.toSeconds() > 900) {
      throw new Error(
        `ComplianceChecker ${id}: timeout must be at most 15 minutes (Lambda's limit), got ${timeout.toHumanString()}`,
      );
    }
    if (props.policy.allowedRegions.length === 0) {
      throw new Error(
        `ComplianceChecker ${id}: policy.allowedRegions must name at least one region; pass compliancePolicy(config)`,
      );
    }

    const stack = Stack.of(this);
    const scanRegions = [...new Set(props.scanRegions ?? [stack.region])];
    const regional = (service: string, resource: string) =>
      scanRegions.map((region) => everyOfType(stack, service, resource, region));

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key only if the key policy lets the regional logs service use it. A no-op for
    // imported keys: their owner must grant it.
    allowServiceKeyUse(props.encryptionKey);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Compliance checker: reads SageMaker/ECR configuration, writes reports, metrics, alerts and verdicts',
    });
    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ListSageMakerResources',
        // SageMaker List* actions support no resource-level permissions: '*' is the only valid resource.
        actions: ['sagemaker:ListEndpoints', 'sagemaker:ListEndpointConfigs', 'sagemaker:ListModels'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeSageMakerResources',
        actions: [
          'sagemaker:DescribeEndpoint',
          'sagemaker:DescribeEndpointConfig',
          'sagemaker:DescribeModel',
          'sagemaker:ListTags',
        ],
        resources: [
          ...regional('sagemaker', 'endpoint'),
          ...regional('sagemaker', 'endpoint-config'),
          ...regional('sagemaker', 'model'),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ReadEcrRepositories',
        actions: [
          'ecr:DescribeRepositories',
          'ecr:DescribeImages',
          'ecr:DescribeImageScanFindings',
          'ecr:GetLifecyclePolicy',
          'ecr:ListTagsForResource',
        ],
        resources: regional('ecr', 'repository'),
      }),
      new iam.PolicyStatement({
        sid: 'ReadEcrRegistryScanning',
        // A registry-level setting: the action has no resource type, so '*' is the only valid resource.
        actions: ['ecr:GetRegistryScanningConfiguration'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeKmsKeys',
        // Tells customer-managed keys from AWS-managed ones for the keys resources reference (this account), and
        // reads the key policy of the customer-managed ones (MLOPS-KMS-1).
        actions: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
        resources: regional('kms', 'key'),
      }),
      new iam.PolicyStatement({
        sid: 'ListBuckets',
        // ListAllMyBuckets has no resource-level permissions.
        actions: ['s3:ListAllMyBuckets'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadBucketConfiguration',
        // Configuration only (encryption, policy, public access block, versioning, lifecycle, logging, tags):
        // never an object. Every bucket, because the checker judges buckets it did not create.
        actions: [...BUCKET_CONFIGURATION_READS],
        resources: [everyBucket(stack)],
      }),
      new iam.PolicyStatement({
        sid: 'ReadWriteReports',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [props.reportBucket.arnForObjects('reports/*')],
      }),
      new iam.PolicyStatement({
        sid: 'TellMissingReportFromDenied',
        // Without ListBucket, S3 answers a GET of the not-yet-written reports/latest.json with 403 instead of 404,
        // and the first run could not tell "no previous report" from "access denied".
        actions: ['s3:ListBucket'],
        resources: [props.reportBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'UseEncryptionKey',
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'PublishComplianceMetrics',
        // PutMetricData has no resource-level permissions; the namespace condition is the scope.
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': COMPLIANCE_METRIC_NAMESPACE } },
      }),
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [props.alertTopic.topicArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReportPipelineGateResult',
        // CodePipeline job result actions have no resource-level permissions: '*' is the only valid resource.
        actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'WriteTraces',
        // X-Ray segment APIs have no resource-level permissions.
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ];
    if (props.configRules ?? false) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReportConfigEvaluations',
          // config:PutEvaluations has no resource-level permissions: '*' is the only valid resource.
          actions: ['config:PutEvaluations'],
          resources: ['*'],
        }),
      );
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Least-privilege permissions of the compliance checker',
      statements,
      roles: [this.role],
    });

    this.handler = new nodejs.NodejsFunction(this, 'Resource', {
      ...lambdaCodeProps('compliance-checker'),
      memorySize,
      timeout,
      // Immutable: CDK would otherwise add an inline DefaultPolicy (X-Ray, DLQ) that the managed policy already covers.
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: reserved,
      environmentEncryption: props.encryptionKey,
      // Async invocations (schedule, Config) that fail after Lambda's retries land on the alert topic: on-call sees them.
      // (Lambda's default of 2 async retries applies; setting retryAttempts would create an EventInvokeConfig.)
      deadLetterTopic: props.alertTopic,
      environment: {
        POLICY_JSON: JSON.stringify(props.policy),
        REPORT_BUCKET: props.reportBucket.bucketName,
        REPORT_KMS_KEY_ARN: props.encryptionKey.keyArn,
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        SCAN_CONCURRENCY: String(concurrency),
        SCAN_REGIONS: scanRegions.join(','),
        IMAGE_SCOPE: imageScope,
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      },
      description: 'MLOps compliance checker: scheduled report, AWS Config rules, CodePipeline gate',
    });
    // Lambda checks at creation that the role may publish to the dead-letter topic: attach the policy first.
    this.handler.node.addDependency(policy);

    const dlq = new DeadLetterQueue(this, 'ScheduleDeadLetterQueue', {
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alertTopic,
      description: 'scheduled compliance scans EventBridge could not deliver',
    });
    dlq.acknowledgeNotReferencedAsDlq('the compliance scan schedule (EventBridge target)');
    this.scheduleDeadLetterQueue = dlq.queue;
    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: 'Scheduled full-account compliance scan',
      schedule: props.schedule ?? events.Schedule.rate(Duration.hours(6)),
      targets: [
        new targets.LambdaFunction(this.handler, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.scheduleDeadLetterQueue,
        }),
      ],
    });
    acknowledgeCheckerFindings(this, policy, props.reportBucket, scanRegions);

    ({ violations: this.violationsAlarm, incomplete: this.scanIncompleteAlarm } = this.addAlarms(
      props.alertTopic,
      props.schedule === undefined ? Duration.hours(6) : Duration.days(1),
    ));

    const rules: Record<string, config.CfnConfigRule> = {};
    if (props.configRules ?? false) {
      const permission = new lambda.CfnPermission(this, 'ConfigInvokePermission', {
        action: 'lambda:InvokeFunction',
        functionName: this.handler.functionArn,
        principal: 'config.amazonaws.com',
        sourceAccount: stack.account,
      });
      const frequency = props.configRuleFrequency ?? config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS;
      for (const rule of configRuleCandidates()) {
        const cfn = new config.CfnConfigRule(this, `ConfigRule${rule.id}`, {
          description: `${rule.id}: ${rule.title}`.slice(0, 256),
          inputParameters: { ruleId: rule.id },
          maximumExecutionFrequency: frequency,
          scope: { complianceResourceTypes: configKindsOf(rule.appliesTo).map((k) => CONFIG_RESOURCE_TYPES[k]) },
          source: {
            owner: 'CUSTOM_LAMBDA',
            sourceIdentifier: this.handler.functionArn,
            sourceDetails: [
              { eventSource: 'aws.config', messageType: 'ConfigurationItemChangeNotification' },
              { eventSource: 'aws.config', messageType: 'OversizedConfigurationItemChangeNotification' },
              { eventSource: 'aws.config', messageType: 'ScheduledNotification', maximumExecutionFrequency: frequency },
            ],
          },
        });
        cfn.node.addDependency(permission);
        rules[rule.id] = cfn;
      }
    }
    this.configRules = rules;
  }

  /**
   * Alarms on the checker's own metrics, both to the alert topic: open violations (current or stale), and an
   * incomplete scan (scan errors or rules not evaluated), so a blind checker is as loud as a violation.
   */
  private addAlarms(topic: sns.ITopic, period: Duration): ComplianceCheckerAlarms {
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: COMPLIANCE_METRIC_NAMESPACE,
        metricName,
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      });
    const action = new cwActions.SnsAction(topic);
    const violations = new cloudwatch.Alarm(this, 'ViolationsOpenAlarm', {
      alarmDescription: 'MLOps compliance: at least one compliance violation is open (see reports/latest.json)',
      metric: metric('OpenViolations'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const incomplete = new cloudwatch.Alarm(this, 'ScanIncompleteAlarm', {
      alarmDescription:
        'MLOps compliance: the last scan could not read some resources or listings (ScanErrors, RulesNotEvaluated); their last known violations are kept as stale',
      metric: new cloudwatch.MathExpression({
        expression: 'errors + notEvaluated',
        usingMetrics: { errors: metric('ScanErrors'), notEvaluated: metric('RulesNotEvaluated') },
        period,
        label: 'scan errors + rules not evaluated',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [violations, incomplete]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return { violations, incomplete };
  }
}

export interface ComplianceCheckerAlarms {
  readonly violations: cloudwatch.Alarm;
  readonly incomplete: cloudwatch.Alarm;
}

/** Run-time catalogue rules that AWS Config can report: those covering SageMaker or ECR resource kinds. */
export function configRuleCandidates(): Rule[] {
  return rulesFor('run').filter((r) => configKindsOf(r.appliesTo).length > 0);
}

/** Every resource of one type in the stack's account and a region; the policy and its acknowledgements share it. */
function everyOfType(stack: Stack, service: string, resource: string, region?: string): string {
  return stack.formatArn({
    service,
    resource,
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    ...(region !== undefined ? { region } : {}),
  });
}

/** Every bucket (bucket ARNs carry no account or region). */
function everyBucket(stack: Stack): string {
  return `arn:${stack.partition}:s3:::*`;
}

/**
 * The checker's accepted findings, one by one. Its read-only wildcards are what "judge every SageMaker and ECR
 * resource of the account" means; each is confined to the account, region and resource type.
 */
function acknowledgeCheckerFindings(
  checker: ComplianceChecker,
  policy: iam.ManagedPolicy,
  reportBucket: s3.IBucket,
  regions: readonly string[],
): void {
  const stack = Stack.of(checker);
  const iam5 = (resource: string, reason: string) =>
    acknowledge(policy, { pack: 'AwsSolutions', id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  const each = (service: string, resource: string, reason: string) => {
    for (const region of regions) iam5(findingResource(stack, everyOfType(stack, service, resource, region)), reason);
  };
  iam5(
    '*',
    'Only actions without resource-level permissions: sagemaker:ListEndpoints/ListEndpointConfigs/ListModels, ecr:GetRegistryScanningConfiguration, s3:ListAllMyBuckets, cloudwatch:PutMetricData (pinned to the MLOps/Compliance namespace by condition), config:PutEvaluations, codepipeline:PutJobSuccessResult/PutJobFailureResult and X-Ray tracing. MLOPS-IAM-1 fails synth if any other action is added on "*".',
  );
  for (const type of ['endpoint', 'endpoint-config', 'model']) {
    each(
      'sagemaker',
      type,
      `Read-only Describe/ListTags on every SageMaker ${type} of this account in a scanned region: the checker must judge resources it did not create.`,
    );
  }
  each(
    'ecr',
    'repository',
    'Read-only describe of every ECR repository, its images, lifecycle policy and scan findings of this account in a scanned region.',
  );
  each(
    'kms',
    'key',
    'kms:DescribeKey and kms:GetKeyPolicy only (no use of any key): tells customer-managed from AWS-managed keys referenced by the resources it judges and reads their key policies for MLOPS-KMS-1.',
  );
  iam5(
    findingResource(stack, everyBucket(stack)),
    'Bucket configuration reads only (encryption, policy, public access block, versioning, lifecycle, logging, tags, location), never objects: the checker judges every bucket of the account. MLOPS-IAM-1 fails synth if an object or other action is added here.',
  );
  iam5(
    findingResource(stack, reportBucket.arnForObjects('reports/*')),
    'Writes and reads its own compliance reports under the reports/ prefix; object names carry the run time.',
  );
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'] as PackName[]) {
    acknowledge(checker.handler, {
      pack,
      id: `${pack}-LambdaInsideVPC`,
      reason:
        'The checker only calls AWS service APIs (SageMaker, ECR, KMS, S3, CloudWatch, SNS, Config, CodePipeline) over TLS with SigV4 and reaches no private data store; a VPC would add NAT or eight interface endpoints without reducing its exposure.',
    });
  }
}
