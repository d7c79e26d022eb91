/**
 * The one way our constructs host a Lambda function (internal: the ComplianceChecker's function and the drift
 * detector use it). What it guarantees, whoever hosts:
 *
 * - an explicit role with exactly one customer-managed policy holding every statement, handed to the function as
 *   immutable so CDK adds no inline DefaultPolicy behind our back;
 * - a log group encrypted with the customer-managed key, with a retention, retained on delete; JSON log format;
 * - the environment encrypted with the same key;
 * - failed asynchronous invocations kept: in a dead-letter queue (an alarmed `DeadLetterQueue`) or on a topic;
 * - tracing either on with its X-Ray permissions, or off: never the mode without the permissions;
 * - the bundle from `lambdaCodeProps(name)`, the definition the SBOM step shares;
 * - a VPC by subnet and security group ids (synth makes no lookups), with the ENI permissions Lambda needs.
 *
 * It is the function itself (a `NodejsFunction`), and its role, policy, log group and dead-letter queue are its
 * siblings `Role`, `Policy`, `LogGroup` and `DeadLetterQueue`: the paths, and so the logical ids, of the resources
 * the hosts created before it existed stay as they were. One hosted function per scope.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue';
import { lambdaVpcNetworkInterfaces, xrayTraceWrites } from './iam-statements';
import { lambdaCodeProps, LambdaName } from './lambda-bundling';
import { validationError } from './validation-error';
import { lambdaOutsideVpc, ScopedAcknowledgement } from '../nag/acknowledgements';

/** Where failed asynchronous invocations go. */
export type HostedDeadLetter =
  /** A `DeadLetterQueue` (KMS, retained, alarmed on the first message) created beside the function. */
  | { readonly queue: { readonly alarmTopic: sns.ITopic; readonly description: string } }
  /** An existing topic (e.g. the alert topic, so on-call sees the failure). */
  | { readonly topic: sns.ITopic };

/** `ACTIVE`: Lambda samples and sends traces, and the policy allows it. `OFF`: neither. */
export type HostedTracing = 'ACTIVE' | 'OFF';

/** Subnets and security groups by id. */
export interface HostedVpc {
  /** Private subnets, by id. */
  readonly subnetIds: readonly string[];
  /** Security groups, by id; they must allow HTTPS to the VPC endpoints the function calls. */
  readonly securityGroupIds: readonly string[];
}

/** What the host's own statements may name: the resources created for the function. */
export interface HostedResources {
  /** The function's log group. */
  readonly logGroup: logs.ILogGroup;
  /**
   * The dead-letter queue.
   * @default - none: the dead letter is a topic
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

export interface HardenedFunctionProps {
  /** The function under `lambda/` to bundle (`lambdaCodeProps(name)`). */
  readonly name: LambdaName;
  /** The function's description. */
  readonly description: string;
  /** The role's description: what the function may do, in a sentence. */
  readonly roleDescription: string;
  /**
   * The managed policy's description.
   * @default - none
   */
  readonly policyDescription?: string;
  /**
   * The host's statements, given the log group and dead-letter queue made for the function (use
   * `logGroupWrites(logGroup)` from ./iam-statements). Tracing and VPC statements are added here, after them.
   */
  readonly statements: (resources: HostedResources) => iam.PolicyStatement[];
  /** Customer-managed key of the log group and the environment (and of the dead-letter queue, if one is made). */
  readonly encryptionKey: kms.IKey;
  /** Where failed asynchronous invocations go. */
  readonly deadLetter: HostedDeadLetter;
  /**
   * Tracing.
   * @default 'ACTIVE'
   */
  readonly tracing?: HostedTracing;
  /**
   * Private subnets and security groups to run in.
   * @default - outside a VPC; `outsideVpcReason` says why, for the packs that want every function in one
   */
  readonly vpc?: HostedVpc;
  /**
   * Why the function runs outside a VPC (acknowledges `<pack>-LambdaInsideVPC`). Required without `vpc`.
   * @default - none (only valid with `vpc`)
   */
  readonly outsideVpcReason?: string;
  /**
   * Log retention.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /** Function memory (MiB). */
  readonly memorySize: number;
  /** Function timeout. */
  readonly timeout: Duration;
  /** Reserved (and capped) concurrent executions. */
  readonly reservedConcurrentExecutions: number;
  /** The environment, rendered by the function's contract in core/contracts. */
  readonly environment: Record<string, string>;
  /**
   * Physical function name.
   * @default - generated by CloudFormation
   */
  readonly functionName?: string;
  /**
   * Retries and maximum event age of asynchronous invocations, as an EventInvokeConfig.
   * @default - Lambda's defaults (2 retries, 6 hours), no EventInvokeConfig
   */
  readonly asyncInvoke?: { readonly retryAttempts: number; readonly maxEventAge: Duration };
}

interface HostParts {
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue?: DeadLetterQueue;
  readonly deadLetterTarget: string;
}

export class HardenedFunction extends nodejs.NodejsFunction {
  /** The execution role (the function holds it as immutable). */
  public readonly executionRole: iam.Role;
  /** The one customer-managed policy of the role. */
  public readonly policy: iam.ManagedPolicy;
  /** The encrypted, retained log group. */
  public readonly hostedLogGroup: logs.LogGroup;
  /** The dead-letter queue, when `deadLetter` is a queue. */
  public readonly hostedDeadLetterQueue?: DeadLetterQueue;
  /** The findings hosting accepts (outside a VPC, the async failure destination): apply them with the host's own. */
  public readonly acknowledgements: readonly ScopedAcknowledgement[];

  constructor(scope: Construct, id: string, props: HardenedFunctionProps) {
    // The role, policy and log group are the function's siblings (see the file comment), made before it.
    const parts = renderParts(scope, props);
    super(scope, id, {
      ...lambdaCodeProps(props.name),
      ...(props.functionName !== undefined ? { functionName: props.functionName } : {}),
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: parts.role.withoutPolicyUpdates(),
      logGroup: parts.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: (props.tracing ?? 'ACTIVE') === 'ACTIVE' ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environmentEncryption: props.encryptionKey,
      environment: props.environment,
    });
    this.executionRole = parts.role;
    this.policy = parts.policy;
    this.hostedLogGroup = parts.logGroup;
    this.hostedDeadLetterQueue = parts.deadLetterQueue;

    const cfn = this.node.defaultChild as lambda.CfnFunction;
    // The L1 properties, not the L2 props: those grant through the role, which is immutable on purpose.
    cfn.deadLetterConfig = { targetArn: parts.deadLetterTarget };
    if (props.vpc) {
      cfn.vpcConfig = { subnetIds: [...props.vpc.subnetIds], securityGroupIds: [...props.vpc.securityGroupIds] };
    }
    // Lambda checks at creation that the role may use the dead-letter target: attach the policy first.
    this.node.addDependency(parts.policy);
    if (props.asyncInvoke) this.configureAsyncInvoke(props.asyncInvoke);
    this.acknowledgements = this.gatherAcknowledgements(props);
  }

  private gatherAcknowledgements(props: HardenedFunctionProps): ScopedAcknowledgement[] {
    const acks = props.vpc ? [] : lambdaOutsideVpc(this, props.outsideVpcReason as string);
    const invokeConfig = this.node.tryFindChild('EventInvokeConfig');
    if (invokeConfig) {
      acks.push({
        scope: invokeConfig,
        pack: 'Serverless',
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason:
          "Failed asynchronous invocations go to the function's dead-letter queue (DeadLetterConfig), which keeps them 14 days and alarms on the first one; an on-failure destination would duplicate it.",
      });
    }
    return acks;
  }
}

function renderParts(scope: Construct, props: HardenedFunctionProps): HostParts {
  if (props.vpc === undefined && (props.outsideVpcReason ?? '').trim() === '') {
    throw validationError(
      scope,
      'outsideVpcReason',
      props.outsideVpcReason,
      `must say why ${props.name} runs outside a VPC when vpc is not set`,
    );
  }
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const deadLetterQueue =
    'queue' in props.deadLetter
      ? new DeadLetterQueue(scope, 'DeadLetterQueue', { encryptionKey: props.encryptionKey, ...props.deadLetter.queue })
      : undefined;
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  const statements = [
    ...props.statements({ logGroup, ...(deadLetterQueue ? { deadLetterQueue: deadLetterQueue.queue } : {}) }),
    ...((props.tracing ?? 'ACTIVE') === 'ACTIVE' ? [xrayTraceWrites()] : []),
    ...(props.vpc ? [lambdaVpcNetworkInterfaces()] : []),
  ];
  const policy = new iam.ManagedPolicy(scope, 'Policy', {
    ...(props.policyDescription !== undefined ? { description: props.policyDescription } : {}),
    statements,
    roles: [role],
  });
  const deadLetterTarget = deadLetterQueue
    ? deadLetterQueue.queue.queueArn
    : (props.deadLetter as { topic: sns.ITopic }).topic.topicArn;
  return { role, policy, logGroup, ...(deadLetterQueue ? { deadLetterQueue } : {}), deadLetterTarget };
}
