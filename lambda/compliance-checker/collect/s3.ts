/**
 * Every S3 bucket of the account (ListBuckets is global, so buckets in every region are judged, residency included),
 * each read in its own region. A failed configuration read leaves that fact unknown (the rule says so) and is
 * recorded.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BucketFacts } from '../../../core/policy/facts';
import { BucketReads, bucketFacts } from '../../../core/policy/from-aws';
import { awsErrorName, isNotFound } from '../../shared/errors';
import { sdk } from '../sdk';
import type { KeyReader } from './kms';
import { Scan, SKIPPED } from './scan';

export class S3Reader {
  constructor(
    private readonly scan: Scan,
    private readonly s3: S3Client,
    private readonly s3For: (region: string) => S3Client | undefined,
    private readonly keys: KeyReader,
  ) {}

  async all(): Promise<void> {
    const buckets = await this.scan.list('Bucket', 's3:ListBuckets', async () => {
      const out = await this.s3.send(new (sdk.s3().ListBucketsCommand)({}));
      return (out.Buckets ?? []).flatMap((b) => (b.Name ? [{ name: b.Name, region: b.BucketRegion }] : []));
    });
    this.scan.logger.info('listed buckets', { buckets: buckets.length });
    const judged: { readonly facts: BucketFacts; readonly logsTo: string | undefined }[] = [];
    await this.scan.each(buckets, async (b) => {
      const out = await this.bucket(b.name, b.region);
      if (out !== undefined) judged.push(out);
    });
    // A log delivery target does not log to itself (AWS guidance); which buckets are targets shows only across them.
    const targets = new Set(
      judged.flatMap((j) => (j.logsTo !== undefined && j.logsTo !== j.facts.name ? [j.logsTo] : [])),
    );
    for (const j of judged) this.scan.add(targets.has(j.facts.name ?? '') ? { ...j.facts, logTarget: true } : j.facts);
  }

  private async regionOf(name: string, listedRegion: string | undefined): Promise<string> {
    if (listedRegion) return listedRegion;
    const out = await this.s3.send(new (sdk.s3().GetBucketLocationCommand)({ Bucket: name }));
    // us-east-1 answers with an empty LocationConstraint; EU is the legacy name of eu-west-1.
    const c = out.LocationConstraint as string | undefined;
    return c === undefined || c === '' ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
  }

  private async bucket(
    name: string,
    listedRegion: string | undefined,
  ): Promise<{ facts: BucketFacts; logsTo: string | undefined } | undefined> {
    const region = await this.scan.attempt('Bucket', name, 's3:GetBucketLocation', () =>
      this.regionOf(name, listedRegion),
    );
    if (region === SKIPPED) return undefined;
    const s3 = this.s3For(region) ?? this.s3;
    /** One configuration read: `null` when S3 says it is not configured, `undefined` (recorded) when it failed. */
    const read = async <T>(operation: string, notConfigured: readonly string[], fn: () => Promise<T>) => {
      try {
        return await fn();
      } catch (err) {
        if (notConfigured.includes(awsErrorName(err) ?? '')) return null;
        if (isNotFound(err) && awsErrorName(err) === 'NoSuchBucket') throw err;
        this.scan.recordError('Bucket', name, operation, err);
        return undefined;
      }
    };
    const out = await this.scan.attempt('Bucket', name, 's3:GetBucket*', async () => {
      const b = { Bucket: name };
      const [encryption, policy, publicAccessBlock, versioning, lifecycle, logging, tags, aclGrants] =
        await Promise.all([
          read('s3:GetEncryptionConfiguration', ['ServerSideEncryptionConfigurationNotFoundError'], () =>
            s3.send(new (sdk.s3().GetBucketEncryptionCommand)(b)),
          ),
          read(
            's3:GetBucketPolicy',
            ['NoSuchBucketPolicy'],
            async () => (await s3.send(new (sdk.s3().GetBucketPolicyCommand)(b))).Policy ?? null,
          ),
          read(
            's3:GetBucketPublicAccessBlock',
            ['NoSuchPublicAccessBlockConfiguration'],
            async () =>
              (await s3.send(new (sdk.s3().GetPublicAccessBlockCommand)(b))).PublicAccessBlockConfiguration ?? null,
          ),
          read('s3:GetBucketVersioning', [], () => s3.send(new (sdk.s3().GetBucketVersioningCommand)(b))),
          read('s3:GetLifecycleConfiguration', ['NoSuchLifecycleConfiguration'], () =>
            s3.send(new (sdk.s3().GetBucketLifecycleConfigurationCommand)(b)),
          ),
          read('s3:GetBucketLogging', [], () => s3.send(new (sdk.s3().GetBucketLoggingCommand)(b))),
          read(
            's3:GetBucketTagging',
            ['NoSuchTagSet'],
            async () => (await s3.send(new (sdk.s3().GetBucketTaggingCommand)(b))).TagSet ?? [],
          ),
          read('s3:GetBucketAcl', [], async () => (await s3.send(new (sdk.s3().GetBucketAclCommand)(b))).Grants ?? []),
        ]);
      const sse = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      await this.keys.resolve(sse?.KMSMasterKeyID);
      const reads: BucketReads = {
        name,
        region,
        encryption,
        policy,
        publicAccessBlock,
        versioning,
        lifecycle,
        logging,
        tags,
        aclGrants,
      };
      return { facts: bucketFacts(reads, this.keys.lookup), logsTo: logging?.LoggingEnabled?.TargetBucket };
    });
    return out === SKIPPED ? undefined : out;
  }
}
