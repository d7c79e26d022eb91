import { createRequire } from 'node:module';
import { Duration, IResolveContext, Lazy, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { EnvironmentConfig, MlopsConfig, PipelineConfig } from '../config/schema';
import { addEmailSubscription } from '../constructs/dead-letter-queue';
import {
  endpointGateParameters,
  GateParameters,
  gateNames,
  imageGateParameters,
} from '../../core/contracts/pipeline-gate';
import { ComplianceGateStep } from './compliance-gate-step';
import { EXECUTION_ID_VARIABLE, ReleaseApprovalStep, ReleaseRecordStore } from './release-steps';
import { MlopsStage } from './mlops-environment';
import { PipelineArtifactStore, PipelineRegionStack } from './pipeline-artifacts';
import { acknowledgePipelineFindings } from './pipeline-acknowledgements';

/** Directory (relative to the repository) whose files become the `reports` artifact of every run. */
export const REPORTS_DIRECTORY = 'reports';
/**
 * What the synth step runs, in order. Report writers (security reports, SBOMs) write into REPORTS_DIRECTORY, which
 * the pipeline keeps as its own artifact. The full test suite (emulator, terraform, chromium) runs on every pull
 * request in GitHub Actions before a change can reach the branch; the pipeline re-checks what it ships.
 */
export function synthCommands(configFile?: string): string[] {
  const configArg = configFile ? ` -c config=${configFile}` : '';
  return [
    'npm ci --no-audit --no-fund',
    // Type-check, eslint, prettier.
    'npm run lint',
    // All six policy packs. The app's own gate (lib/reports/gate.ts) judges every stack of the assembly, the stage
    // stacks included, and exits non-zero on any open finding or rejected acknowledgement: the step fails and the
    // pipeline stops here, before any deployment.
    `npx cdk synth${configArg}`,
    // The security reports (SARIF, Markdown, HTML) of this very synth, kept as a pipeline artifact.
    `npm run report -- --assembly cdk.out --out ${REPORTS_DIRECTORY}/security`,
    // CycloneDX SBOMs of the production dependencies and of every Lambda bundle this synth ships.
    `npm run sbom -- --out ${REPORTS_DIRECTORY}/sbom`,
  ];
}

/** The delivery pipeline's name: the release steps read its action executions by it. */
export function deliveryPipelineName(projectName: string): string {
  return `${projectName}-delivery`;
}

/** The version of the aws-cdk CLI package this repository installs (a devDependency). */
function installedCdkCliVersion(): string {
  try {
    return (createRequire(__filename)('aws-cdk/package.json') as { version: string }).version;
  } catch (err) {
    throw new Error(
      `PipelineStack: cannot read the installed aws-cdk CLI version (${(err as Error).message}); install aws-cdk as a devDependency (npm ci) or pass cliVersion`,
    );
  }
}

interface DeliveryPipelineProps extends pipelines.CodePipelineProps {
  /** Called once at the start of the just-in-time build: adds the stages. */
  readonly beforeBuild: () => void;
  /** Called once, right after the underlying CodePipeline has been built. */
  readonly afterBuild: () => void;
}

/**
 * CDK Pipelines' CodePipeline, built just in time (at synthesis, by CDK Pipelines' own aspect) with hooks around the
 * build. `addStage()` synthesizes a stage on the spot, and a stage synthesized while the app is still being built
 * keeps a stale template of anything changed later (escape hatches, aspects): the MLOPS pack, which reads the
 * written templates, would then judge that stale copy. So stages are added at build time, not in the constructor.
 */
class DeliveryPipeline extends pipelines.CodePipeline {
  private readonly hooks: Pick<DeliveryPipelineProps, 'beforeBuild' | 'afterBuild'>;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    const { beforeBuild, afterBuild, ...rest } = props;
    super(scope, id, rest);
    this.hooks = { beforeBuild, afterBuild };
  }

  protected override doBuildPipeline(): void {
    this.hooks.beforeBuild();
    super.doBuildPipeline();
    this.hooks.afterBuild();
  }
}

export interface PipelineStackProps extends StackProps {
  readonly config: MlopsConfig;
  /** The config's pipeline block. */
  readonly pipeline: PipelineConfig;
  /** The environments to deliver, in config order; each is one MlopsStage. */
  readonly stages: readonly MlopsStage[];
  /**
   * Config file the synth step passes as `-c config=<file>`, relative to the repository root.
   * @default - the default config embedded in cdk.json
   */
  readonly configFile?: string;
  /**
   * CDK CLI version the self-mutation step installs.
   * @default - the aws-cdk version installed in this repository (pinned by its package-lock.json), so the pipeline
   *   deploys itself with the CLI the synth used, not whatever is latest on the registry that day
   */
  readonly cliVersion?: string;
  /**
   * How long the synth step's build logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The delivery pipeline, in the tooling account: a self-mutating CodePipeline V2 that a push to the configured branch
 * (and file paths) starts. Synth (CI, all policy packs, reports) -> per environment in config order: the image gate,
 * a manual approval where configured, the deployment (MlopsStage), the endpoint gate. Gates are the environment's
 * compliance checker, invoked in the target account through the gate role its PlatformStack creates.
 */
export class PipelineStack extends Stack {
  /** Encrypts pipeline artifacts, build logs and the notification topic; rotated yearly. */
  public readonly artifactKey: kms.Key;
  public readonly artifactBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  /** The pipeline's service role; its name is what the gate roles trust. */
  public readonly role: iam.Role;
  /** Pipeline and stage failed/succeeded notifications. */
  public readonly notificationTopic: sns.Topic;
  public readonly pipeline: pipelines.CodePipeline;
  /** The artifact stores in the other regions the pipeline deploys to (one stack each, tooling account). */
  public readonly regionStacks: PipelineRegionStack[];
  /** The synth step's build logs. */
  public readonly buildLogGroup: logs.LogGroup;
  /** Release records (S3 Object Lock, COMPLIANCE mode) and the role of the release steps. */
  public readonly releaseRecords: ReleaseRecordStore;
  /** The source commit of the running execution, as a CodePipeline variable. */
  private readonly commitId: string;
  private readonly synthStep: pipelines.CodeBuildStep;
  private readonly sourceStep: pipelines.CodePipelineSource;
  private readonly reports: pipelines.FileSet;
  private readonly configFile?: string;
  /** The release steps (approval checks, record writers), whose projects exist once the pipeline is built. */
  private readonly releaseSteps: pipelines.CodeBuildStep[] = [];

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, pipeline: cfg } = props;
    this.validateStages(props);
    const prefix = `${config.projectName}/pipeline`;

    const store = new PipelineArtifactStore(this, 'Artifacts', { keyAlias: `alias/${prefix}/artifacts` });
    this.artifactKey = store.key;
    this.artifactBucket = store.bucket;
    this.accessLogsBucket = store.accessLogsBucket;
    // CodePipeline needs an artifact store in every region it deploys to: our own, fully governed, per extra region.
    const regions = [...new Set(config.environments.map((e) => e.region))].filter((r) => r !== cfg.region);
    this.regionStacks = regions.map((region) => {
      const stack = new PipelineRegionStack(scope, `${id}-${region}`, {
        env: { account: cfg.account, region },
        stackName: `${config.projectName}-pipeline-${region}`,
        description: `${config.projectName} delivery pipeline: artifact store in ${region}`,
        keyAlias: `alias/${prefix}/artifacts-replica`,
        terminationProtection: true,
      });
      this.addStackDependency(stack);
      return stack;
    });
    this.buildLogGroup = new logs.LogGroup(this, 'BuildLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.artifactKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'PipelineRole', {
      roleName: gateNames.pipelineRole(config.projectName),
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      description: `${config.projectName} delivery pipeline; the only principal the environments' gate roles trust`,
    });
    const notificationTopicName = `${config.projectName}-pipeline-notifications`;
    this.notificationTopic = new sns.Topic(this, 'NotificationTopic', {
      topicName: notificationTopicName,
      displayName: `${config.projectName} delivery pipeline`,
      masterKey: this.artifactKey,
      enforceSSL: true,
    });
    if (config.alarmEmail) {
      // The alarm e-mail hears the approval requests (CodePipeline's e-mail carries the approval's text, which names
      // the commit and the image digests, and the review link to the execution whose Synth action holds the reports)
      // and the pipeline's own failed/succeeded notifications. No filter policy: CodePipeline formats its approval
      // message per protocol, and a body filter that did not match would drop approval requests silently.
      addEmailSubscription(this, 'NotificationEmailDeadLetterQueue', {
        topic: this.notificationTopic,
        topicName: notificationTopicName,
        email: config.alarmEmail,
        encryptionKey: this.artifactKey,
        usedBy: "the pipeline topic's e-mail subscription (approval requests)",
      });
    }

    const source = pipelines.CodePipelineSource.connection(cfg.repository, cfg.branch, {
      connectionArn: cfg.connectionArn,
      actionName: 'Source',
    });
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      commands: synthCommands(props.configFile),
      primaryOutputDirectory: 'cdk.out',
    });
    this.reports = synth.addOutputDirectory(REPORTS_DIRECTORY);
    this.synthStep = synth;
    this.sourceStep = source;
    this.commitId = source.sourceAttribute('CommitId');
    if (props.configFile !== undefined) this.configFile = props.configFile;
    this.releaseRecords = new ReleaseRecordStore(this, 'ReleaseRecords', {
      keyAlias: `alias/${prefix}/release-records`,
      retentionDays: cfg.release.recordRetentionDays,
      accessLogsBucket: this.accessLogsBucket,
      pipelineName: deliveryPipelineName(config.projectName),
      artifactBucket: this.artifactBucket,
      artifactKey: this.artifactKey,
      buildLogGroup: this.buildLogGroup,
    });

    this.pipeline = new DeliveryPipeline(this, 'Pipeline', {
      beforeBuild: () => props.stages.forEach((stage) => this.addEnvironment(stage, config)),
      afterBuild: () => this.completeBuiltPipeline(cfg, prefix),
      pipelineName: deliveryPipelineName(config.projectName),
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      selfMutation: true,
      cliVersion: props.cliVersion ?? installedCdkCliVersion(),
      role: this.role,
      // One governed artifact bucket per region (CodePipeline takes either artifactBucket or this map, which then
      // holds the pipeline's own region too).
      crossRegionReplicationBuckets: {
        [cfg.region]: this.artifactBucket,
        ...Object.fromEntries(this.regionStacks.map((s) => [s.region, s.store.bucket as s3.IBucket])),
      },
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.MEDIUM,
          privileged: false,
        },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: 22, python: '3.12' } } },
        }),
        logging: { cloudWatch: { logGroup: this.buildLogGroup } },
        timeout: Duration.minutes(60),
      },
      // One publishing project for all assets: fewer roles, and assets are few (Lambda code, baselines).
      publishAssetsInParallel: false,
    });

    // Stages, gates and the CodePipeline itself are added just in time, at synthesis (see DeliveryPipeline).
  }

  /** Everything that needs the built pipeline; runs right after CDK Pipelines has built it. */
  private completeBuiltPipeline(cfg: PipelineConfig, prefix: string) {
    const sourceAction = this.renderTrigger(cfg);
    this.allowConnection(sourceAction, cfg.connectionArn);
    this.renderNotifications();
    if (this.regionStacks.length > 0) this.confineKeyUseToArtifactKeys(prefix);
    this.scopeGeneratedWildcards();
    acknowledgePipelineFindings(this, this.artifactBucket, this.regionStacks);
    this.releaseRecords.acknowledgeProjects(this.releaseSteps);
  }

  /**
   * CDK Pipelines grants a few of its own actions on "*" (self-mutation reads stacks and lists the bootstrap bucket;
   * the asset project starts its builds; the pipeline role uses the artifact keys of other regions). Each has a resource-level form, so the written policies name the resources
   * instead (MLOPS-IAM-1): this account's stacks, the CDK bootstrap buckets, this account's build projects. The
   * rewrite runs when the template is rendered, after CDK Pipelines has added every statement.
   */
  private scopeGeneratedWildcards() {
    const { partition, account, region } = this;
    const scopedResources: Record<string, string> = {
      'cloudformation:describestacks': `arn:${partition}:cloudformation:*:${account}:stack/*`,
      's3:listbucket': `arn:${partition}:s3:::cdk-*`,
      'codebuild:batchgetbuilds': `arn:${partition}:codebuild:${region}:${account}:project/*`,
      'codebuild:startbuild': `arn:${partition}:codebuild:${region}:${account}:project/*`,
      'codebuild:stopbuild': `arn:${partition}:codebuild:${region}:${account}:project/*`,
      // Artifact keys of the other regions live in this (tooling) account; OnlyPipelineArtifactKeys narrows further.
      ...Object.fromEntries(
        ['decrypt', 'describekey', 'encrypt', 'generatedatakey*', 'reencrypt*'].map((a) => [
          `kms:${a}`,
          `arn:${partition}:kms:*:${account}:key/*`,
        ]),
      ),
    };
    type Statement = { Action?: string | string[]; Resource?: unknown; [k: string]: unknown };
    for (const policy of this.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
      const original = policy.policyDocument as unknown;
      policy.policyDocument = Lazy.uncachedAny({
        produce: (ctx: IResolveContext) => {
          const doc = ctx.resolve(original) as { Statement?: Statement[] };
          const statement = (doc.Statement ?? []).map((st) => {
            const actions = typeof st.Action === 'string' ? [st.Action] : (st.Action ?? []);
            const scoped = actions.map((a) => scopedResources[a.toLowerCase()]);
            const listed = Array.isArray(st.Resource) ? (st.Resource as unknown[]) : [st.Resource];
            if (!listed.includes('*') || actions.length === 0 || scoped.some((r) => r === undefined)) return st;
            const resources = [...new Set([...(scoped as string[]), ...listed.filter((r) => r !== '*')])];
            return { ...st, Resource: resources.length === 1 ? resources[0] : resources };
          });
          return { ...doc, Statement: statement };
        },
      });
    }
  }

  /**
   * Before the environment: the image gate; where an approval is configured, the approval (which notifies), then the
   * image and endpoint gates again and the approval's expiry check, right before the deployment. After it: the
   * endpoint gate, then the release record.
   */
  private addEnvironment(stage: MlopsStage, config: MlopsConfig) {
    const environment = stage.environmentConfig;
    const target = { account: environment.account, region: environment.region };
    const gate = (id: string, parameters: GateParameters) =>
      new ComplianceGateStep(id, {
        functionArn: `arn:${this.partition}:lambda:${target.region}:${target.account}:function:${gateNames.checkerFunction(config.projectName, environment.name)}`,
        roleArn: `arn:${this.partition}:iam::${target.account}:role/${gateNames.gateRole(config.projectName, environment.name)}`,
        parameters,
      });
    const images = imageGateParameters(config.models.map((m) => m.image));
    const pre: pipelines.Step[] = [gate('ImageGate', images)];
    if (environment.manualApproval) {
      const maxAgeHours = config.pipeline!.release.approvalMaxAgeHours;
      const pinned = (images.images ?? []).map((i) => `${i.repository}@${i.digest ?? i.tag}`).join(', ');
      pre.push(
        new ReleaseApprovalStep('Approve', {
          commit: this.commitId,
          comment: `deploy to ${environment.name} (${environment.account}, ${environment.region})? Images: ${pinned}. The image gate has passed; security reports and SBOMs: the Build/Synth "reports" artifact of this execution (review link). Image and endpoint gates run again after approval; the approval expires after ${maxAgeHours} h.`,
          reviewUrl: `https://${this.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${deliveryPipelineName(config.projectName)}/executions/${EXECUTION_ID_VARIABLE}/timeline?region=${this.region}`,
          notificationTopic: this.notificationTopic,
          timeout: Duration.hours(maxAgeHours),
          pipelineRole: this.role,
        }),
        gate('ImageGateAfterApproval', images),
        gate('EndpointGateBeforeDeploy', endpointGateParameters(stage.endpointNames, { allowMissing: true })),
        this.approvalCheckStep(environment, config, maxAgeHours),
      );
    }
    const post = [
      gate('EndpointGate', endpointGateParameters(stage.endpointNames)),
      this.releaseRecordStep(environment, config),
    ];
    this.pipeline.addStage(stage, { pre: pipelines.Step.sequence(pre), post: pipelines.Step.sequence(post) });
  }

  private releaseStep(id: string, props: pipelines.CodeBuildStepProps): pipelines.CodeBuildStep {
    const step = new pipelines.CodeBuildStep(id, props);
    this.releaseSteps.push(step);
    return step;
  }

  /** Right before the deployment: fails when the approval (or the gate evidence it was given on) is too old. */
  private approvalCheckStep(environment: EnvironmentConfig, config: MlopsConfig, maxAgeHours: number) {
    return this.releaseStep('ApprovalCheck', {
      input: this.sourceStep,
      commands: [
        'npm ci --no-audit --no-fund',
        `npm run release:approval -- --pipeline ${deliveryPipelineName(config.projectName)} --execution "$EXECUTION_ID" --stage ${environment.name} --max-age-hours ${maxAgeHours}`,
      ],
      env: { EXECUTION_ID: EXECUTION_ID_VARIABLE },
      role: this.releaseRecords.stepRole,
    });
  }

  /** After the endpoint gate: the release record of this execution and environment, to the Object Lock bucket. */
  private releaseRecordStep(environment: EnvironmentConfig, config: MlopsConfig) {
    const configArg = this.configFile !== undefined ? ` --config ${this.configFile}` : '';
    return this.releaseStep('ReleaseRecord', {
      input: this.sourceStep,
      additionalInputs: { 'cdk.out': this.synthStep.primaryOutput!, [REPORTS_DIRECTORY]: this.reports },
      commands: [
        'npm ci --no-audit --no-fund',
        `npm run release:record -- --pipeline ${deliveryPipelineName(config.projectName)} --execution "$EXECUTION_ID" --commit "$COMMIT_ID" --environment ${environment.name}${configArg} --assembly cdk.out --reports ${REPORTS_DIRECTORY} --bucket "$RECORD_BUCKET" --kms-key "$RECORD_KEY_ARN" --retention-days ${config.pipeline!.release.recordRetentionDays}`,
      ],
      env: {
        EXECUTION_ID: EXECUTION_ID_VARIABLE,
        COMMIT_ID: this.commitId,
        RECORD_BUCKET: this.releaseRecords.bucket.bucketName,
        RECORD_KEY_ARN: this.releaseRecords.key.keyArn,
      },
      role: this.releaseRecords.stepRole,
    });
  }

  /** Push-only trigger on the branch and file paths: pull requests never start a deployment. */
  private renderTrigger(cfg: PipelineConfig): codepipeline.IAction {
    const sourceAction = this.pipeline.pipeline.stages[0]?.actions[0];
    if (!sourceAction || sourceAction.actionProperties.category !== codepipeline.ActionCategory.SOURCE) {
      throw new Error(`PipelineStack ${this.node.path}: the built pipeline has no source action in its first stage`);
    }
    this.pipeline.pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: {
        sourceAction,
        pushFilter: [
          {
            branchesIncludes: [cfg.branch],
            filePathsIncludes: [...cfg.filePaths.include],
            ...(cfg.filePaths.exclude.length > 0 ? { filePathsExcludes: [...cfg.filePaths.exclude] } : {}),
          },
        ],
      },
    });
    return sourceAction;
  }

  /**
   * CDK grants only `codestar-connections:UseConnection`; a connection created as CodeConnections is authorized by
   * `codeconnections:UseConnection`. Both actions, on both ARN forms of the one configured connection.
   */
  private allowConnection(sourceAction: codepipeline.IAction, connectionArn: string) {
    // The pipeline creates the source action's role when it binds the action: under the stage, under the action.
    const stageName = this.pipeline.pipeline.stages[0]!.stageName;
    const roles = (this.pipeline.pipeline.node.tryFindChild(stageName)?.node.findAll() ?? []).filter(
      (c): c is iam.Role =>
        c instanceof iam.Role && c.node.path.includes(`/${sourceAction.actionProperties.actionName}/`),
    );
    if (roles.length !== 1) {
      throw new Error(
        `PipelineStack ${this.node.path}: expected one role for the source action to grant the connection, found ${roles.length}`,
      );
    }
    const twin = connectionArn.includes(':codeconnections:')
      ? connectionArn.replace(':codeconnections:', ':codestar-connections:')
      : connectionArn.replace(':codestar-connections:', ':codeconnections:');
    roles[0]!.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UseSourceConnection',
        actions: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
        resources: [connectionArn, twin],
      }),
    );
  }

  /**
   * For a key in another region, aws-cdk-lib grants the pipeline role KMS use on "*" (it cannot name a key ARN across
   * regions). The key policies name the role, so this is more than it needs: deny KMS use on every key that carries
   * none of the pipeline's artifact-key aliases.
   */
  private confineKeyUseToArtifactKeys(prefix: string) {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OnlyPipelineArtifactKeys',
        effect: iam.Effect.DENY,
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        resources: ['*'],
        conditions: { 'ForAllValues:StringNotLike': { 'kms:ResourceAliases': `alias/${prefix}/artifacts*` } },
      }),
    );
  }

  private renderNotifications() {
    const E = codepipeline.PipelineNotificationEvents;
    this.pipeline.pipeline.notifyOn('Notifications', this.notificationTopic, {
      notificationRuleName: `${this.pipeline.pipeline.node.id}-state`.slice(0, 64),
      events: [
        E.PIPELINE_EXECUTION_FAILED,
        E.PIPELINE_EXECUTION_SUCCEEDED,
        E.STAGE_EXECUTION_FAILED,
        E.STAGE_EXECUTION_SUCCEEDED,
        // Who approved or rejected, and when (the request itself is announced by the approval action, with the
        // commit, digests and the reports link).
        E.MANUAL_APPROVAL_SUCCEEDED,
        E.MANUAL_APPROVAL_FAILED,
      ],
    });
    // AWS CodeStar Notifications publishes to the KMS-encrypted topic only if the key lets it encrypt.
    this.artifactKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCodeStarNotificationsToPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('codestar-notifications.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'kms:ViaService': `sns.${this.region}.amazonaws.com` } },
      }),
    );
  }

  private validateStages(props: PipelineStackProps) {
    const order = props.config.environments.map((e) => e.name);
    const given = props.stages.map((s) => s.environmentConfig.name);
    if (given.join(',') !== order.join(',')) {
      throw new Error(
        `PipelineStack ${this.node.path}: stages must be the config's environments in config order [${order.join(', ')}], got [${given.join(', ')}]`,
      );
    }
  }
}
