import { Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { bucketName, endpointName } from '../../core/defaults/names';
import { endpointLedgerPrefix, ledgerRetentionDays } from '../../core/contracts/quality';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvironmentConfig, MlopsConfig, PipelineConfig } from '../config/schema';
import { gateNames } from '../../core/contracts/pipeline-gate';
import { ComplianceChecker } from '../constructs/compliance-checker';
import { addEmailSubscription } from '../constructs/dead-letter-queue';
import { ImageReplication, ImageReplicationGrant } from '../constructs/image-promotion';
import { allowServiceKeyUse } from '../constructs/key-grants';
import { ModelRepository, RegistryEnhancedScanning } from '../constructs/model-repository';
import { SecureBucket } from '../constructs/secure-bucket';
import { CompliancePolicy } from '../../core/policy/context';
import { TAGS } from '../../core/policy/facts';
import { acknowledge } from '../nag/acknowledgements';

export interface PlatformStackProps extends StackProps {
  readonly config: MlopsConfig;
  readonly environment: EnvironmentConfig;
  readonly policy: CompliancePolicy;
}

/**
 * One per environment: the keys, buckets, model repositories and alert topic every model stack builds on.
 * Everything stateful is retained when the stack is deleted.
 */
export class PlatformStack extends Stack {
  /** Encrypts artefacts, reports, the alert topic and log groups. */
  public readonly dataKey: kms.Key;
  /** Encrypts captured inference data (personal data: its own key, its own grants). */
  public readonly captureKey: kms.Key;
  /** Encrypts the ML storage volumes of endpoint instances. */
  public readonly endpointKey: kms.Key;
  /** Encrypts model images in ECR. */
  public readonly imageKey: kms.Key;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly artifactsBucket: s3.Bucket;
  public readonly captureBucket: s3.Bucket;
  public readonly reportsBucket: s3.Bucket;
  /**
   * The capture bucket's name as a plain string (not a token): model stacks import the bucket by name, so the
   * IAM policies that scope writes to a capture prefix name it literally and no cross-stack export is needed.
   */
  public readonly captureBucketName: string;
  /** The artifacts bucket's name as a plain string, for the same reason. */
  public readonly artifactsBucketName: string;
  /** The reports bucket's name as a plain string: drift detectors write their reports under a prefix of it. */
  public readonly reportsBucketName: string;
  public readonly alertTopic: sns.Topic;
  /** Judges live resources against the catalogue: on a schedule, as AWS Config rules and as a pipeline gate. */
  public readonly complianceChecker: ComplianceChecker;
  /**
   * The role the delivery pipeline's gate actions run as in this account (invoke the compliance checker, nothing
   * else), trusted by the tooling account's pipeline role alone. Only when the config has a pipeline.
   */
  public readonly pipelineGateRole?: iam.Role;
  /** Model image repositories by repository name. */
  public readonly repositories: ReadonlyMap<string, ModelRepository>;
  /**
   * With a pipeline, in the image-source environment: replicates the model repositories to every other environment's
   * registry (promotion by digest).
   */
  public readonly imageReplication?: ImageReplication;
  /** With a pipeline, in every other environment: lets the image-source registry replicate into the repositories. */
  public readonly imageReplicationGrant?: ImageReplicationGrant;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config, environment } = props;
    const prefix = `${config.projectName}/${environment.name}`;

    const key = (keyId: string, purpose: string) =>
      new kms.Key(this, keyId, {
        alias: `alias/${prefix}/${purpose}`,
        description: `${prefix}: ${purpose}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
      });
    this.dataKey = key('DataKey', 'data');
    this.captureKey = key('CaptureKey', 'data-capture');
    this.endpointKey = key('EndpointKey', 'endpoint-storage');
    this.imageKey = key('ImageKey', 'model-images');
    allowServiceKeyUse(this.dataKey);

    this.accessLogsBucket = new SecureBucket(this, 'AccessLogsBucket', {
      purpose: 'access-logs',
      expirationDays: 365,
    }).bucket;

    const checkedBucketName = (purpose: string) => {
      const name = bucketName(config.projectName, environment, purpose);
      if (name.length > 63) {
        throw new Error(
          `${purpose} bucket name "${name}" is ${name.length} characters; S3 allows 63. Shorten projectName or environments[].name ("${environment.name}")`,
        );
      }
      return name;
    };
    this.artifactsBucketName = checkedBucketName('artifacts');
    this.artifactsBucket = new SecureBucket(this, 'ArtifactsBucket', {
      bucketName: this.artifactsBucketName,
      purpose: 'artifacts',
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
    }).bucket;
    this.reportsBucketName = checkedBucketName('reports');
    this.reportsBucket = new SecureBucket(this, 'ReportsBucket', {
      bucketName: this.reportsBucketName,
      purpose: 'reports',
      encryptionKey: this.dataKey,
      accessLogsBucket: this.accessLogsBucket,
      expirationDays: 400,
    }).bucket;
    // Versioned data-capture objects leave a noncurrent version for one day after expiry; current objects expire
    // one day earlier so the whole life of a captured record stays within the retention period.
    this.captureBucketName = bucketName(config.projectName, environment, 'capture');
    if (this.captureBucketName.length > 63) {
      throw new Error(
        `capture bucket name "${this.captureBucketName}" is ${this.captureBucketName.length} characters; S3 allows 63. Shorten projectName or environments[].name ("${environment.name}")`,
      );
    }
    this.captureBucket = new SecureBucket(this, 'CaptureBucket', {
      bucketName: this.captureBucketName,
      purpose: 'data-capture',
      encryptionKey: this.captureKey,
      accessLogsBucket: this.accessLogsBucket,
      expirationDays: config.compliance.captureRetentionDays - 1,
      noncurrentExpirationDays: 1,
      eventBridgeEnabled: true,
    }).bucket;
    this.renderLedgerRetention(config, environment);

    // Keyed by repository name, never by position: reordering the models replaces no repository.
    const repositories = new Map<string, ModelRepository>();
    for (const repositoryName of new Set(config.models.map((m) => m.image.repository))) {
      repositories.set(
        repositoryName,
        new ModelRepository(this, `Repository-${repositoryName.replace(/[^A-Za-z0-9]/g, '')}`, {
          repositoryName,
          encryptionKey: this.imageKey,
        }),
      );
    }
    this.repositories = repositories;
    if (environment.enhancedScanning) new RegistryEnhancedScanning(this, 'RegistryScanning');
    if (config.pipeline) this.renderImagePromotion(config, environment);

    const alertTopicName = `${config.projectName}-${environment.name}-alerts`;
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      topicName: alertTopicName,
      displayName: `${config.projectName} ${environment.name} MLOps alerts`,
      masterKey: this.dataKey,
      enforceSSL: true,
    });
    if (config.alarmEmail) {
      // A notification SNS cannot deliver after its retries is kept (and alarmed on), not dropped.
      addEmailSubscription(this, 'AlertEmailDeadLetterQueue', {
        topic: this.alertTopic,
        topicName: alertTopicName,
        email: config.alarmEmail,
        encryptionKey: this.dataKey,
        usedBy: "the alert topic's e-mail subscription",
      });
    }

    this.complianceChecker = new ComplianceChecker(this, 'ComplianceChecker', {
      policy: props.policy,
      reportBucket: this.reportsBucket,
      encryptionKey: this.dataKey,
      alertTopic: this.alertTopic,
      configRules: environment.configRules,
      // With a pipeline, the tooling account's gate actions reach the checker by this name.
      ...(config.pipeline ? { functionName: gateNames.checkerFunction(config.projectName, environment.name) } : {}),
      scanRegions: config.compliance.scanRegions ?? [
        ...new Set([environment.region, ...config.compliance.allowedRegions]),
      ],
    });
    if (config.pipeline) this.pipelineGateRole = this.renderPipelineGateRole(config, config.pipeline, environment);

    if (environment.vpc?.vpcId !== undefined) this.addVpcEndpoints(environment);

    // The platform buckets hold every model's captured data: classify them as the most sensitive model's data.
    Tags.of(this).add(TAGS.DATA_CLASSIFICATION, mostSensitive(config));
  }

  /**
   * Prediction ledgers (kept for the labels of each judged capture window) expire once their latest label is due:
   * maxLabelDelayHours plus a day, never later than captured data itself. Ground truth under `ground-truth/` keeps the
   * bucket's retention rule, like the captured data it labels.
   */
  private renderLedgerRetention(config: MlopsConfig, environment: EnvironmentConfig): void {
    for (const model of config.models) {
      const quality = model.monitoring.quality;
      if (!model.dataCapture.enabled || quality === undefined) continue;
      const endpoint = endpointName(config.projectName, environment.name, model.name);
      this.captureBucket.addLifecycleRule({
        id: `ledger-${model.name}`,
        prefix: endpointLedgerPrefix(endpoint),
        expiration: Duration.days(
          ledgerRetentionDays(quality.maxLabelDelayHours, config.compliance.captureRetentionDays),
        ),
        noncurrentVersionExpiration: Duration.days(1),
      });
    }
  }

  /**
   * One image build, promoted by digest: the image-source environment's registry replicates the model repositories to
   * every other environment's registry; each of those grants it replication into exactly those repositories.
   */
  private renderImagePromotion(config: MlopsConfig, environment: EnvironmentConfig) {
    const source = imageSourceEnvironment(config);
    const repositoryNames = [...this.repositories.keys()];
    const sameRegistry = (e: EnvironmentConfig) => e.account === source.account && e.region === source.region;
    if (environment.name === source.name) {
      (this as { imageReplication?: ImageReplication }).imageReplication = new ImageReplication(
        this,
        'ImageReplication',
        { repositoryNames, destinations: config.environments.filter((e) => !sameRegistry(e)) },
      );
    } else if (!sameRegistry(environment) && environment.account !== source.account) {
      (this as { imageReplicationGrant?: ImageReplicationGrant }).imageReplicationGrant = new ImageReplicationGrant(
        this,
        'ImageReplicationGrant',
        { sourceAccount: source.account, repositoryNames },
      );
    }
  }

  private renderPipelineGateRole(config: MlopsConfig, pipeline: PipelineConfig, environment: EnvironmentConfig) {
    const pipelineRoleArn = `arn:${this.partition}:iam::${pipeline.account}:role/${gateNames.pipelineRole(config.projectName)}`;
    // The account principal with a PrincipalArn condition, not the role ARN as principal: IAM would refuse the trust
    // policy until the pipeline role exists, and would silently break it if the role were ever re-created.
    const role = new iam.Role(this, 'PipelineGateRole', {
      roleName: gateNames.gateRole(config.projectName, environment.name),
      assumedBy: new iam.AccountPrincipal(pipeline.account).withConditions({
        ArnEquals: { 'aws:PrincipalArn': pipelineRoleArn },
      }),
      description: `Compliance gate of the ${config.projectName} delivery pipeline (${pipeline.account}): invokes the compliance checker`,
      maxSessionDuration: Duration.hours(1),
    });
    const policy = new iam.ManagedPolicy(this, 'PipelineGatePolicy', {
      description: 'The pipeline gate may invoke the compliance checker and nothing else',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeComplianceChecker',
          actions: ['lambda:InvokeFunction'],
          resources: [this.complianceChecker.handler.functionArn],
        }),
        new iam.PolicyStatement({
          sid: 'FindFunctionForCodePipeline',
          // CodePipeline's Lambda invoke action lists functions; ListFunctions has no resource-level permissions.
          actions: ['lambda:ListFunctions'],
          resources: ['*'],
        }),
      ],
    });
    acknowledge(policy, {
      pack: 'AwsSolutions',
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "lambda:ListFunctions only, which CodePipeline's Lambda invoke action calls and which has no resource-level permissions; invoking is limited to the compliance checker.",
    });
    return role;
  }
  /**
   * The private paths the drift detector (in the VPC) needs: an S3 gateway endpoint on the private route tables and
   * a KMS interface endpoint in the subnets, with private DNS. No CloudWatch endpoint: the detector publishes its
   * metrics as Embedded Metric Format log lines, which Lambda delivers, not the function's network.
   */
  private addVpcEndpoints(environment: EnvironmentConfig): VpcEndpointIds {
    const vpc = environment.vpc!;
    const scope = new Construct(this, 'VpcEndpoints');
    const s3 =
      vpc.routeTableIds !== undefined
        ? new ec2.CfnVPCEndpoint(scope, 'S3', {
            vpcId: vpc.vpcId!,
            serviceName: `com.amazonaws.${this.region}.s3`,
            vpcEndpointType: 'Gateway',
            routeTableIds: [...vpc.routeTableIds],
          })
        : undefined;
    const interfaces: Record<string, ec2.CfnVPCEndpoint> = {};
    for (const service of ['kms']) {
      interfaces[service] = new ec2.CfnVPCEndpoint(scope, 'Kms', {
        vpcId: vpc.vpcId!,
        serviceName: `com.amazonaws.${this.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: [...vpc.subnetIds],
        securityGroupIds: [...vpc.securityGroupIds],
      });
    }
    return { ...(s3 ? { s3 } : {}), interfaces };
  }
}

/** The VPC endpoints the platform stack creates in an environment's VPC. */
export interface VpcEndpointIds {
  /** The S3 gateway endpoint; absent when the config names no route tables for it. */
  readonly s3?: ec2.CfnVPCEndpoint;
  /** Interface endpoints, by service name. */
  readonly interfaces: Readonly<Record<string, ec2.CfnVPCEndpoint>>;
}

/** The environment whose registry the model images are pushed to once, and promoted from. */
export function imageSourceEnvironment(config: MlopsConfig): EnvironmentConfig {
  const name = config.pipeline?.release.imageSource;
  return config.environments.find((e) => e.name === name) ?? config.environments[0]!;
}

/** The most sensitive DataClassification among the models: what shared platform and pipeline resources carry. */
export function mostSensitive(config: MlopsConfig): string {
  const order = config.compliance.dataClassifications;
  return config.models.map((m) => m.dataClassification).reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a));
}
