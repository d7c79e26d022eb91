import { Duration, PhysicalName, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { allowServiceKeyUse } from '../constructs/key-grants';
import { SecureBucket } from '../constructs/secure-bucket';

export interface PipelineArtifactStoreProps {
  /** Alias of the artifact key, `alias/<project>/pipeline/...`. */
  readonly keyAlias: string;
  /**
   * The store serves a pipeline in another region (a cross-region replication bucket): the bucket gets a generated
   * physical name and is encrypted through the key's alias, so the pipeline can name both without a cross-region
   * reference.
   * @default false
   */
  readonly crossRegion?: boolean;
  /**
   * Days after which artifacts expire.
   * @default 365
   */
  readonly expirationDays?: number;
}

/**
 * Where a pipeline keeps its artifacts in one region: a customer-managed key with rotation, an access-logged,
 * versioned, TLS-only, retained artifact bucket and its access-log bucket.
 */
export class PipelineArtifactStore extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineArtifactStoreProps) {
    super(scope, id);
    const crossRegion = props.crossRegion ?? false;
    const expirationDays = props.expirationDays ?? 365;
    this.key = new kms.Key(this, 'Key', {
      description: `${props.keyAlias}: pipeline artifacts`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    const alias = this.key.addAlias(props.keyAlias);
    allowServiceKeyUse(this.key);
    this.accessLogsBucket = new SecureBucket(this, 'AccessLogsBucket', {
      purpose: 'access-logs',
      expirationDays,
    }).bucket;
    this.bucket = new SecureBucket(this, 'ArtifactBucket', {
      ...(crossRegion ? { bucketName: PhysicalName.GENERATE_IF_NEEDED } : {}),
      purpose: 'artifacts',
      encryptionKey: crossRegion ? alias : this.key,
      accessLogsBucket: this.accessLogsBucket,
      expirationDays,
    }).bucket;
  }
}

export interface PipelineRegionStackProps extends StackProps {
  readonly keyAlias: string;
}

/**
 * The tooling account's artifact store in a region the pipeline deploys to but does not run in: CodePipeline needs an
 * artifact bucket in every region with actions. Ours instead of CDK's generated support stack, so the bucket has
 * access logging, lifecycle, TLS-only policy and a retained, rotated key like every other bucket.
 */
export class PipelineRegionStack extends Stack {
  public readonly store: PipelineArtifactStore;

  constructor(scope: Construct, id: string, props: PipelineRegionStackProps) {
    super(scope, id, props);
    this.store = new PipelineArtifactStore(this, 'Artifacts', { keyAlias: props.keyAlias, crossRegion: true });
  }
}
