/**
 * Release integrity in the delivery pipeline (tooling account): the approval that notifies, the check that an
 * approval has not expired, and the release record each deploying execution writes to an S3 Object Lock bucket.
 * The record's shape is core/contracts/release-record.ts; the commands the steps run are scripts/release-*.ts.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { RELEASE_RECORD_PREFIX } from '../../core/contracts/release-record';
import { SecureBucket } from '../constructs/secure-bucket';
import { acknowledge, findingResource } from '../nag/acknowledgements';

/** CodePipeline's own variable: the id of the running execution (resolved by CodePipeline in action configuration). */
export const EXECUTION_ID_VARIABLE = '#{codepipeline.PipelineExecutionId}';
/** CustomData of a manual approval: at most 500 characters. */
const MAX_APPROVAL_TEXT = 500;

export interface ReleaseApprovalStepProps {
  /** The commit being approved (a CodePipeline variable of the source action). */
  readonly commit: string;
  /** What else the approver reads: environment, image digests, where the reports are. Cut to fit 500 characters. */
  readonly comment: string;
  /** Link the approval shows ("URL for review"): the execution, whose Synth action holds the reports artifact. */
  readonly reviewUrl: string;
  /** Where CodePipeline announces the pending approval (the pipeline's notification topic). */
  readonly notificationTopic: sns.ITopic;
  /** The approval request expires unanswered after this. */
  readonly timeout: Duration;
  /**
   * The pipeline's service role: CodePipeline publishes the approval notification with it, so the topic grant
   * belongs there (not on an extra action role).
   */
  readonly pipelineRole: iam.IRole;
}

/**
 * A manual approval that notifies the pipeline topic with what is being approved. CDK Pipelines' ManualApprovalStep
 * has no timeout; this step renders CodePipeline's ManualApprovalAction directly.
 */
export class ReleaseApprovalStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(
    id: string,
    private readonly props: ReleaseApprovalStepProps,
  ) {
    super(id);
  }

  public produceAction(
    stage: codepipeline.IStage,
    options: pipelines.ProduceActionOptions,
  ): pipelines.CodePipelineActionFactoryResult {
    stage.addAction(
      new actions.ManualApprovalAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        // The commit is a variable CodePipeline substitutes (up to 40 characters): only the literal part is cut.
        additionalInformation: `Commit ${this.props.commit}: ${truncateText(this.props.comment, MAX_APPROVAL_TEXT - 50)}`,
        externalEntityLink: this.props.reviewUrl,
        notificationTopic: this.props.notificationTopic,
        timeout: this.props.timeout,
        role: this.props.pipelineRole,
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}

function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface ReleaseRecordStoreProps {
  /** Alias of the record key, `alias/<project>/pipeline/release-records`. */
  readonly keyAlias: string;
  /** Object Lock retention of each record (COMPLIANCE mode), in days. */
  readonly retentionDays: number;
  readonly accessLogsBucket: s3.IBucket;
  /** The pipeline whose action executions the release steps read. */
  readonly pipelineName: string;
  /** The pipeline's artifact bucket and key: the release steps read the source, cloud assembly and reports. */
  readonly artifactBucket: s3.IBucket;
  readonly artifactKey: kms.IKey;
  /** The build log group the steps log to. */
  readonly buildLogGroup: logs.ILogGroup;
}

/**
 * Where release records live, and the one role the release steps (approval check, record writer) run as: a
 * customer-managed key (rotation on) and a bucket with S3 Object Lock in COMPLIANCE mode (versioned, TLS only,
 * access-logged, retained). The role may read this pipeline's action executions and artifacts, and add records:
 * it may not delete, shorten a retention, or read other records.
 */
export class ReleaseRecordStore extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  /** The release steps' CodeBuild role; passed to CDK Pipelines without policy updates (its grants are ours). */
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ReleaseRecordStoreProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      alias: props.keyAlias,
      description: `${props.keyAlias}: release records`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.bucket = new SecureBucket(this, 'Bucket', {
      purpose: 'reports',
      encryptionKey: this.key,
      accessLogsBucket: props.accessLogsBucket,
      objectLockRetentionDays: props.retentionDays,
      // Locked objects cannot be removed before their retention ends anyway; afterwards they expire.
      expirationDays: props.retentionDays + 1,
      noReplicationReason:
        'Release records are locked in COMPLIANCE mode (no one can delete or overwrite them before their retention ends) and each can be re-derived and checked with `npm run release:verify` from the commit and the pipeline history; a replica would need a second Object Lock bucket and key to govern. Durability: S3 (11 nines), versioning.',
    }).bucket;

    this.role = new iam.Role(this, 'StepRole', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'Release steps of the delivery pipeline: approval check and release record writer',
    });
    const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: props.pipelineName });
    const logGroupArn = props.buildLogGroup.logGroupArn;
    this.policy = new iam.ManagedPolicy(this, 'StepPolicy', {
      roles: [this.role],
      description: 'Release steps: read this pipeline and its artifacts, add release records',
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadThisPipelinesActionExecutions',
          actions: ['codepipeline:ListActionExecutions'],
          resources: [pipelineArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadPipelineArtifacts',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [props.artifactBucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'UseArtifactKey',
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
          resources: [props.artifactKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteBuildLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${logGroupArn}`],
        }),
        new iam.PolicyStatement({
          sid: 'AddReleaseRecords',
          // PutObjectRetention: the writer sets the record's retention explicitly (never shorter than the default).
          actions: ['s3:PutObject', 's3:PutObjectRetention'],
          resources: [this.bucket.arnForObjects(`${RELEASE_RECORD_PREFIX}/*`)],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptReleaseRecords',
          actions: ['kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [this.key.keyArn],
        }),
      ],
    });
    acknowledge(this.policy, {
      pack: 'AwsSolutions',
      id: `AwsSolutions-IAM5[Resource::${findingResource(stack, props.artifactBucket.arnForObjects('*'))}]`,
      reason:
        "Objects of this pipeline's own artifact bucket (read only): CodePipeline generates the artifact keys per execution, so they cannot be named in advance.",
    });
    acknowledge(this.policy, {
      pack: 'AwsSolutions',
      id: `AwsSolutions-IAM5[Resource::${findingResource(stack, this.bucket.arnForObjects(`${RELEASE_RECORD_PREFIX}/*`))}]`,
      reason:
        'New release records under releases/<environment>/<execution id>.json: one key per execution, not known in advance. Put only; the bucket is Object Lock COMPLIANCE, so nothing written can be overwritten or deleted.',
    });
  }

  /**
   * After the pipeline is built: the CodeBuild projects of the release steps get the same reviewed acknowledgement as
   * CDK Pipelines' own projects (cdk-nag's OAuth rule fires on every project, whatever its source type).
   */
  public acknowledgeProjects(steps: readonly pipelines.CodeBuildStep[]): void {
    for (const step of steps) {
      const project: codebuild.IProject = step.project;
      for (const pack of ['HIPAA.Security', 'PCI.DSS.321'] as const) {
        acknowledge(project, {
          pack,
          id: `${pack}-CodeBuildProjectSourceRepoUrl`,
          reason:
            'False positive, cdklabs/cdk-nag#1590: the rule flags any project without OAuth regardless of source type. This release step has source type CODEPIPELINE (no repository URL, no credentials).',
        });
      }
    }
  }

  /** The role as CDK Pipelines gets it: its grants would land in an inline policy; ours are in the managed one. */
  public get stepRole(): iam.IRole {
    return this.role.withoutPolicyUpdates();
  }
}
