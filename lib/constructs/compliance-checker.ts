import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { complianceCheckerEnvironment } from '../../core/contracts/compliance-checker';
import { applyAcknowledgements } from '../nag/acknowledgements';
import { addComplianceCheckerAlarms } from './compliance-checker-alarms';
import { addConfigRules } from './compliance-checker-config-rules';
import { checkerPolicyAcknowledgements, checkerStatements } from './compliance-checker-permissions';
import { ComplianceCheckerProps } from './compliance-checker-props';
import { DeadLetterQueue } from './dead-letter-queue';
import { HardenedFunction } from './hardened-function';
import { allowServiceKeyUse } from './key-grants';
import { validationError } from './validation-error';

export type { ComplianceCheckerAlarms } from './compliance-checker-alarms';
export { configRuleCandidates } from './compliance-checker-config-rules';
export type { ComplianceCheckerProps } from './compliance-checker-props';

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
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const configRules = props.configRules ?? false;
    const frequency = props.configRuleFrequency ?? config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS;
    if (!Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
      throw validationError(this, 'concurrency', concurrency, 'must be an integer between 1 and 64');
    }
    if (!Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
      throw validationError(this, 'reservedConcurrentExecutions', reserved, 'must be a whole number >= 1');
    }
    if (timeout.toSeconds() > 900) {
      throw validationError(this, 'timeout', timeout.toHumanString(), "must be at most 15 minutes (Lambda's limit)");
    }
    if (props.policy.allowedRegions.length === 0) {
      throw validationError(
        this,
        'policy.allowedRegions',
        props.policy.allowedRegions,
        'must name at least one region (pass compliancePolicy(config))',
      );
    }

    const stack = Stack.of(this);
    const scanRegions = [...new Set(props.scanRegions ?? [stack.region])];

    // CloudWatch Logs encrypts with the key only if the key policy lets the regional logs service use it. A no-op for
    // imported keys: their owner must grant it.
    allowServiceKeyUse(props.encryptionKey);
    const handler = new HardenedFunction(this, 'Resource', {
      name: 'compliance-checker',
      description: 'MLOps compliance checker: scheduled report, AWS Config rules, CodePipeline gate',
      roleDescription:
        'Compliance checker: reads SageMaker/ECR configuration, writes reports, metrics, alerts and verdicts',
      policyDescription: 'Least-privilege permissions of the compliance checker',
      statements: ({ logGroup }) => checkerStatements(stack, props, scanRegions, logGroup),
      encryptionKey: props.encryptionKey,
      // Async invocations (schedule, Config) that fail after Lambda's retries land on the alert topic: on-call sees
      // them. (Lambda's default of 2 async retries applies; setting retryAttempts would create an EventInvokeConfig.)
      deadLetter: { topic: props.alertTopic },
      tracing: 'ACTIVE',
      outsideVpcReason:
        'The checker only calls AWS service APIs (SageMaker, ECR, KMS, S3, CloudWatch, SNS, Config, CodePipeline) over TLS with SigV4 and reaches no private data store; a VPC would add NAT or eight interface endpoints without reducing its exposure.',
      logRetention,
      memorySize,
      timeout,
      reservedConcurrentExecutions: reserved,
      ...(props.functionName !== undefined ? { functionName: props.functionName } : {}),
      environment: {
        ...complianceCheckerEnvironment({
          policy: props.policy,
          reportBucket: props.reportBucket.bucketName,
          reportKmsKeyArn: props.encryptionKey.keyArn,
          alertTopicArn: props.alertTopic.topicArn,
          concurrency,
          scanRegions,
          imageScope,
        }),
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      },
    });
    this.handler = handler;
    this.role = handler.executionRole;
    this.logGroup = handler.hostedLogGroup;
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

    ({ violations: this.violationsAlarm, incomplete: this.scanIncompleteAlarm } = addComplianceCheckerAlarms(
      this,
      props.alertTopic,
      props.schedule === undefined ? Duration.hours(6) : Duration.days(1),
    ));

    this.configRules = configRules ? addConfigRules(this, this.handler, frequency) : {};

    applyAcknowledgements([
      ...handler.acknowledgements,
      ...checkerPolicyAcknowledgements(handler.policy, props.reportBucket, scanRegions),
    ]);
  }
}
