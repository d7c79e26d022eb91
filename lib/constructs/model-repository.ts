import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { validationError } from './validation-error';

export interface ModelRepositoryProps {
  /** Repository name, e.g. `fraud-xgb`. */
  readonly repositoryName: string;
  /** Customer-managed key that encrypts the images. */
  readonly encryptionKey: kms.IKey;
  /**
   * How many tagged images to keep; older ones expire. Deployed tags must stay within this window.
   * @default 50
   */
  readonly maxImageCount?: number;
  /**
   * Days after which untagged images (build leftovers) expire.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * What happens to the repository (and its images) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * ECR repository for model images: immutable tags (a tag always means the same bytes, so what was scanned and
 * approved is what runs), scan on push, KMS with a customer-managed key, lifecycle rules, retained on delete.
 */
export class ModelRepository extends Construct {
  public readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ModelRepositoryProps) {
    super(scope, id);
    const maxImageCount = props.maxImageCount ?? 50;
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 7;
    if (!Token.isUnresolved(maxImageCount) && (!Number.isInteger(maxImageCount) || maxImageCount < 1)) {
      throw validationError(this, 'maxImageCount', maxImageCount, 'must be a whole number >= 1');
    }
    if (!Token.isUnresolved(untaggedExpiryDays) && (!Number.isInteger(untaggedExpiryDays) || untaggedExpiryDays < 1)) {
      throw validationError(this, 'untaggedExpiryDays', untaggedExpiryDays, 'must be a whole number >= 1');
    }
    this.repository = new ecr.Repository(this, 'Resource', {
      repositoryName: props.repositoryName,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      emptyOnDelete: false,
      lifecycleRules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(untaggedExpiryDays),
        },
        {
          rulePriority: 2,
          description: `Keep the newest ${maxImageCount} images`,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount,
        },
      ],
    });
  }
}

export interface RegistryScanningProps {
  /**
   * `CONTINUOUS_SCAN` rescans images when new CVEs are published; `SCAN_ON_PUSH` scans once.
   * @default 'CONTINUOUS_SCAN'
   */
  readonly frequency?: 'CONTINUOUS_SCAN' | 'SCAN_ON_PUSH';
}

/** Turns on ECR enhanced scanning (Amazon Inspector) for every repository in the account and region. */
export class RegistryEnhancedScanning extends Construct {
  constructor(scope: Construct, id: string, props: RegistryScanningProps = {}) {
    super(scope, id);
    new ecr.CfnRegistryScanningConfiguration(this, 'Resource', {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: props.frequency ?? 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }],
        },
      ],
    });
  }
}
