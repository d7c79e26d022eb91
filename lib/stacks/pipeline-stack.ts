import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
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
import {
  endpointGateParameters,
  GateParameters,
  gateNames,
  imageGateParameters,
} from '../../core/contracts/pipeline-gate';
import { ComplianceGateStep } from './compliance-gate-step';
import { DeliveryPipeline, installedCdkCliVersion } from './delivery-pipeline';
import { EXECUTION_ID_VARIABLE, ReleaseApprovalStep, ReleaseRecordStore } from './release-steps';
import { MlopsStage } from './mlops-environment';
import { PipelineArtifactStore, PipelineRegionStack } from './pipeline-artifacts';
import { acknowledgePipelineFindings } from './pipeline-acknowledgements';
import { addNotificationTopic, notifyOnPipelineEvents } from './pipeline-notifications';
import { allowSourceConnection, confineKeyUseToArtifactKeys, scopeGeneratedWildcards } from './pipeline-permissions';

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
    this.notificationTopic = addNotificationTopic(this, config, this.artifactKey);

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
    allowSourceConnection(this, this.pipeline.pipeline, sourceAction, cfg.connectionArn);
    notifyOnPipelineEvents(this.pipeline.pipeline, this.notificationTopic, this.artifactKey, this.region);
    if (this.regionStacks.length > 0) confineKeyUseToArtifactKeys(this.role, prefix);
    scopeGeneratedWildcards(this);
    acknowledgePipelineFindings(this, this.artifactBucket, this.regionStacks);
    this.releaseRecords.acknowledgeProjects(this.releaseSteps);
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
