import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validationError } from './validation-error';

/** A registry (account and region) that receives the promoted images. */
export interface RegistryTarget {
  readonly account: string;
  readonly region: string;
}

export interface ImageReplicationProps {
  /** Repository names whose images are promoted; each must exist, KMS-encrypted, in every destination registry. */
  readonly repositoryNames: readonly string[];
  /** Registries the images are replicated to; the source registry itself is skipped. */
  readonly destinations: readonly RegistryTarget[];
}

/**
 * Promotion by digest, source side: the registry's replication configuration copies every image pushed to the named
 * repositories to the destination registries (other accounts and regions). ECR replicates the manifest byte for
 * byte, so the digest a destination runs is the digest that was built, scanned and approved here.
 *
 * Registry-level: one per account and region (a second one replaces the first), so only the PlatformStack of the
 * image-source environment creates it. Destinations must grant replication with an `ImageReplicationGrant`, and
 * must already hold the repositories (the PlatformStacks create them, immutable, scanned on push, encrypted with
 * their own customer-managed key: replicated layers are encrypted with the destination repository's key).
 */
export class ImageReplication extends Construct {
  public readonly resource?: ecr.CfnReplicationConfiguration;
  /** The registries images are actually replicated to (the source itself removed, duplicates merged). */
  public readonly destinations: readonly RegistryTarget[];

  constructor(scope: Construct, id: string, props: ImageReplicationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.repositoryNames.length === 0 || props.repositoryNames.length > 100) {
      throw validationError(
        this,
        'repositoryNames',
        props.repositoryNames.length,
        'must name 1 to 100 repositories (ECR allows 100 repository filters per rule)',
      );
    }
    const seen = new Set<string>();
    this.destinations = props.destinations.filter((d) => {
      const key = `${d.account}/${d.region}`;
      const self = !Token.isUnresolved(stack.account) && d.account === stack.account && d.region === stack.region;
      if (self || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (this.destinations.length > 25) {
      throw validationError(this, 'destinations', this.destinations.length, 'ECR allows at most 25 destinations');
    }
    if (this.destinations.length === 0) return;
    this.resource = new ecr.CfnReplicationConfiguration(this, 'Resource', {
      replicationConfiguration: {
        rules: [
          {
            destinations: this.destinations.map((d) => ({ region: d.region, registryId: d.account })),
            // PREFIX_MATCH is ECR's only filter type: a repository named like one of these plus a suffix is
            // replicated too; the model repositories are the only ones the platform creates.
            repositoryFilters: [...new Set(props.repositoryNames)].sort().map((filter) => ({
              filter,
              filterType: 'PREFIX_MATCH',
            })),
          },
        ],
      },
    });
  }
}

export interface ImageReplicationGrantProps {
  /** The account whose registry replicates into this one (the image-source environment's). */
  readonly sourceAccount: string;
  /** The repositories that may receive replicated images; nothing else in the registry. */
  readonly repositoryNames: readonly string[];
}

/**
 * Promotion by digest, destination side: the registry permissions policy that lets the source account's registry
 * replicate into the named repositories, and nothing else: `ecr:ReplicateImage` only (no `ecr:CreateRepository`, so
 * replication never creates an unencrypted, mutable repository; the PlatformStack's own repositories receive the
 * images). Registry-level: one per account and region.
 */
export class ImageReplicationGrant extends Construct {
  public readonly resource: ecr.CfnRegistryPolicy;
  public readonly policy: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: ImageReplicationGrantProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'ReplicateModelImagesFromSourceRegistry',
          principals: [new iam.AccountPrincipal(props.sourceAccount)],
          actions: ['ecr:ReplicateImage'],
          resources: [...new Set(props.repositoryNames)]
            .sort()
            .map((name) => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name })),
        }),
      ],
    });
    this.resource = new ecr.CfnRegistryPolicy(this, 'Resource', { policyText: this.policy });
  }
}
