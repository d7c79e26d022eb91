/**
 * Reads live facts: lists with the SDK paginators, describes with bounded concurrency, maps with lib/policy/from-aws.
 *
 * Fault model, per resource (never for the whole scan):
 * - describe -> not found: the resource was deleted between list and describe. Dropped, logged, counted.
 * - access denied (or any other error left after the SDK's own retries): an explicit `ScanError` entry naming the
 *   resource, the operation and the error code. Callers decide what an error means (report it, fail the gate).
 * Every resource is described once per collection (dedupe by ARN), and each KMS key once (cache).
 *
 * A full scan reads tags in batches where the APIs allow it, and falls back to one ListTags per resource where they
 * do not (a failed batch, a resource the batch does not show): the listings stay the authority on what exists.
 * - endpoints: SageMaker `Search` (pages of 100: name, ARN, config name, tags). An endpoint whose Environment tag is
 *   outside the production environments is not described: the only fact DescribeEndpoint adds is the last
 *   deployment configuration, which only the production rollout rule reads; it is recorded as unknown.
 * - endpoint configs and models: the Resource Groups Tagging API `GetResources` (pages of 100, per resource type).
 */
import type { DescribeEndpointOutput, SageMakerClient, Tag as SageMakerTag } from '@aws-sdk/client-sagemaker';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type {
  ECRClient,
  ImageDetail,
  ImageIdentifier,
  RegistryScanningConfiguration,
  Repository,
} from '@aws-sdk/client-ecr';
import type { KMSClient, KeyMetadata } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { EndpointFacts, ResourceFacts, ResourceKind, TAGS } from '../../lib/policy/facts';
import {
  BucketReads,
  bucketFacts,
  endpointConfigFacts,
  endpointFacts,
  imageFacts,
  isCustomerManaged,
  keyFacts,
  KeyLookup,
  modelFacts,
  parseEcrImageUri,
  repositoryFacts,
} from '../../lib/policy/from-aws';
import { mapLimit } from '../shared/clients';
import { awsErrorName, isAccessDenied, isNotFound } from '../shared/errors';
import { Logger } from '../shared/logger';
import type { GateImage } from '../../lib/contracts/pipeline-gate';
import { DEFAULT_SCAN_CONCURRENCY } from '../../lib/contracts/compliance-checker';
import { sdk } from './sdk';

/** Kinds the collector reads, plus `Key` (KMS) and `Registry` (ECR registry settings) for errors. */
export type CollectedKind =
  'Endpoint' | 'EndpointConfig' | 'Model' | 'Repository' | 'Image' | 'Bucket' | 'Key' | 'Registry';

/** A resource the checker could not judge: never silently dropped. */
export interface ScanError {
  readonly resourceKind: CollectedKind;
  /** Name (or ARN / key id) of the resource, or `*` for a failed listing. */
  readonly resource: string;
  /** The API call that failed, e.g. `sagemaker:DescribeEndpoint`. */
  readonly operation: string;
  /** The service's error code, e.g. `AccessDeniedException`. */
  readonly code: string;
  readonly message: string;
  readonly accessDenied: boolean;
  /** Region of the client that failed; absent for the home region of single-region callers. */
  readonly region?: string;
}

/** A resource that vanished between listing and describing it, or a named target that does not exist. */
export interface NotFound {
  readonly resourceKind: CollectedKind;
  readonly resource: string;
}

export interface CollectResult {
  readonly resources: ResourceFacts[];
  readonly errors: ScanError[];
  readonly notFound: NotFound[];
}

/** An image named by a pipeline gate: the contract the pipeline's UserParameters are written with. */
export type ImageTarget = GateImage;

/** Named resources to collect (pipeline gate, Config change event). */
export interface Targets {
  readonly endpoints?: readonly string[];
  readonly endpointConfigs?: readonly string[];
  readonly models?: readonly string[];
  readonly repositories?: readonly string[];
  readonly images?: readonly ImageTarget[];
}

export interface CollectorClients {
  readonly sagemaker: SageMakerClient;
  readonly ecr: ECRClient;
  readonly kms: KMSClient;
  /** Reads bucket configuration; without it buckets are not collected (their rules are then not evaluated). */
  readonly s3?: S3Client;
  /** Batched tag reads for a full scan; without it every SageMaker resource's tags are read with ListTags. */
  readonly tagging?: ResourceGroupsTaggingAPIClient;
}

export interface CollectorOptions {
  /** Describe calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /**
   * Which images to judge in a full scan: `in-use` = images that SageMaker models reference (what actually runs),
   * `all` = every image of every repository (one DescribeImages page per 100 images, can be large).
   * @default 'in-use'
   */
  readonly imageScope?: 'in-use' | 'all';
  /** Page size for list calls. @default 100 */
  readonly pageSize?: number;
  /** Region these clients talk to: recorded on scan errors. @default - not recorded */
  readonly region?: string;
  /**
   * S3 client for a bucket's own region (S3 configuration reads must go to the bucket's region).
   * @default - the `s3` client of `clients`
   */
  readonly s3For?: (region: string) => S3Client | undefined;
  /**
   * The policy's production environments. With it, a full scan describes only the endpoints whose Environment tag
   * (read in batch) is missing or names one of them; the others' deployment configuration is recorded as unknown.
   * @default - every endpoint is described
   */
  readonly productionEnvironments?: readonly string[];
}

/** An endpoint as SageMaker `Search` shows it. */
interface SearchedEndpoint {
  readonly arn: string;
  readonly configName?: string;
  readonly tags: SageMakerTag[];
}

const SKIPPED = Symbol('skipped');
type Attempt<T> = T | typeof SKIPPED;

/** One collector per invocation: its caches (KMS keys, registry scanning configuration) live as long as the scan. */
export class Collector {
  private readonly concurrency: number;
  private readonly imageScope: 'in-use' | 'all';
  private readonly pageSize: number;
  private readonly keyCache = new Map<string, Promise<boolean | undefined>>();
  private readonly keyResults = new Map<string, boolean | undefined>();
  private readonly keyPolicies = new Set<string>();
  private registryScanning?: Promise<RegistryScanningConfiguration | undefined>;
  private readonly facts = new Map<string, ResourceFacts>();
  private readonly errors: ScanError[] = [];
  private readonly notFound: NotFound[] = [];
  /** Tags read in batch, by lower-cased ARN; a resource not in it has its tags read with ListTags. */
  private readonly batchTags = new Map<string, SageMakerTag[]>();
  /** Endpoints read in batch by SageMaker Search, by name. */
  private readonly searchedEndpoints = new Map<string, SearchedEndpoint>();
  private readonly productionEnvironments?: ReadonlySet<string>;

  constructor(
    private readonly clients: CollectorClients,
    private readonly logger: Logger,
    opts: CollectorOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? DEFAULT_SCAN_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${String(opts.concurrency)}`);
    }
    this.imageScope = opts.imageScope ?? 'in-use';
    this.pageSize = opts.pageSize ?? 100;
    this.region = opts.region;
    this.s3For = opts.s3For ?? (() => this.clients.s3);
    if (opts.productionEnvironments !== undefined) this.productionEnvironments = new Set(opts.productionEnvironments);
  }

  private readonly region?: string;
  private readonly s3For: (region: string) => S3Client | undefined;

  /**
   * Every S3 bucket of the account (ListBuckets is global, so buckets in every region are judged, residency
   * included), each read in its own region. A failed read leaves that fact unknown (the rule says so) and is recorded.
   */
  async collectBuckets(): Promise<CollectResult> {
    const s3 = this.clients.s3;
    if (s3 === undefined) return this.result();
    const buckets = await this.list('Bucket', 's3:ListBuckets', async () => {
      const out = await s3.send(new (sdk.s3().ListBucketsCommand)({}));
      return (out.Buckets ?? []).flatMap((b) => (b.Name ? [{ name: b.Name, region: b.BucketRegion }] : []));
    });
    this.logger.info('listed buckets', { buckets: buckets.length });
    await mapLimit(buckets, this.concurrency, (b) => this.bucket(b.name, b.region));
    return this.result();
  }

  private async bucket(name: string, listedRegion: string | undefined): Promise<void> {
    const home = this.clients.s3 as S3Client;
    const region = await this.attempt('Bucket', name, 's3:GetBucketLocation', async () => {
      if (listedRegion) return listedRegion;
      const out = await home.send(new (sdk.s3().GetBucketLocationCommand)({ Bucket: name }));
      // us-east-1 answers with an empty LocationConstraint; EU is the legacy name of eu-west-1.
      const c = out.LocationConstraint as string | undefined;
      return c === undefined || c === '' ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
    });
    if (region === SKIPPED) return;
    const s3 = this.s3For(region) ?? home;
    /** One configuration read: `null` when S3 says it is not configured, `undefined` (recorded) when it failed. */
    const read = async <T>(operation: string, notConfigured: readonly string[], fn: () => Promise<T>) => {
      try {
        return await fn();
      } catch (err) {
        if (notConfigured.includes(awsErrorName(err) ?? '')) return null;
        if (isNotFound(err) && awsErrorName(err) === 'NoSuchBucket') throw err;
        this.recordError('Bucket', name, operation, err);
        return undefined;
      }
    };
    const out = await this.attempt('Bucket', name, 's3:GetBucket*', async () => {
      const b = { Bucket: name };
      const [encryption, policy, publicAccessBlock, versioning, lifecycle, logging, tags] = await Promise.all([
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
      ]);
      const sse = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      await this.resolveKey(sse?.KMSMasterKeyID);
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
      };
      return bucketFacts(reads, this.keyLookup);
    });
    if (out !== SKIPPED) this.add(out);
  }

  /**
   * Every endpoint, endpoint config, model and repository in the region, plus images per `imageScope`.
   * `kinds` narrows the scan (an AWS Config rule needs only the kinds its rule covers); in-use images need models.
   */
  async collectAll(kinds?: ReadonlySet<ResourceKind>): Promise<CollectResult> {
    const want = (k: ResourceKind) => kinds === undefined || kinds.has(k);
    const wantImages = want('Image');
    const sm = this.clients.sagemaker;
    const pager = { client: sm, pageSize: this.pageSize };
    const none = async <T>(): Promise<T[]> => [];
    const [endpoints, configs, models, repos] = await Promise.all([
      !want('Endpoint')
        ? none<string>()
        : this.list('Endpoint', 'sagemaker:ListEndpoints', async () => {
            const names: string[] = [];
            for await (const page of sdk.sagemaker().paginateListEndpoints(pager, {})) {
              for (const e of page.Endpoints ?? []) if (e.EndpointName) names.push(e.EndpointName);
            }
            return names;
          }),
      !want('EndpointConfig')
        ? none<string>()
        : this.list('EndpointConfig', 'sagemaker:ListEndpointConfigs', async () => {
            const names: string[] = [];
            for await (const page of sdk.sagemaker().paginateListEndpointConfigs(pager, {})) {
              for (const c of page.EndpointConfigs ?? []) if (c.EndpointConfigName) names.push(c.EndpointConfigName);
            }
            return names;
          }),
      !want('Model') && !(wantImages && this.imageScope === 'in-use')
        ? none<string>()
        : this.list('Model', 'sagemaker:ListModels', async () => {
            const names: string[] = [];
            for await (const page of sdk.sagemaker().paginateListModels(pager, {})) {
              for (const m of page.Models ?? []) if (m.ModelName) names.push(m.ModelName);
            }
            return names;
          }),
      !want('Repository') && !wantImages
        ? none<Repository>()
        : this.list('Repository', 'ecr:DescribeRepositories', async () => {
            const out: Repository[] = [];
            for await (const page of sdk
              .ecr()
              .paginateDescribeRepositories({ client: this.clients.ecr, pageSize: this.pageSize }, {})) {
              out.push(...(page.repositories ?? []));
            }
            return out;
          }),
    ]);
    this.logger.info('listed resources', {
      endpoints: endpoints.length,
      endpointConfigs: configs.length,
      models: models.length,
      repositories: repos.length,
    });
    await Promise.all([
      endpoints.length > 0 ? this.searchEndpoints() : undefined,
      configs.length > 0 ? this.tagsInBatch('sagemaker:endpoint-config') : undefined,
      models.length > 0 ? this.tagsInBatch('sagemaker:model') : undefined,
    ]);
    const tasks: (() => Promise<unknown>)[] = [
      ...endpoints.map((n) => () => this.endpoint(n)),
      ...configs.map((n) => () => this.endpointConfig(n)),
      ...models.map((n) => () => this.model(n)),
      ...(want('Repository') ? repos.map((r) => () => this.repository(r)) : []),
    ];
    await mapLimit(tasks, this.concurrency, (t) => t());
    if (!wantImages) {
      // Nothing more to read.
    } else if (this.imageScope === 'all') {
      await mapLimit(repos, this.concurrency, (r) => this.allImagesOf(r));
    } else {
      await this.imagesInUse(repos);
    }
    return this.result();
  }

  /**
   * Named resources. With `closure`, an endpoint brings its endpoint config, a config its models, and an image its
   * repository: what a deployment gate must judge together.
   */
  async collectTargets(targets: Targets, closure = true): Promise<CollectResult> {
    const configNames = new Set(targets.endpointConfigs ?? []);
    const modelNames = new Set(targets.models ?? []);
    const endpoints = await mapLimit(dedupe(targets.endpoints), this.concurrency, (n) => this.endpoint(n));
    if (closure)
      for (const e of endpoints) if (e !== SKIPPED && e.endpointConfigName) configNames.add(e.endpointConfigName);
    const configs = await mapLimit([...configNames], this.concurrency, (n) => this.endpointConfig(n));
    if (closure) for (const c of configs) if (c !== SKIPPED) c.modelNames.forEach((m) => modelNames.add(m));
    await mapLimit([...modelNames], this.concurrency, (n) => this.model(n));

    const repoNames = new Set(targets.repositories ?? []);
    if (closure) for (const i of targets.images ?? []) repoNames.add(i.repository);
    const repos = new Map<string, Repository>();
    await mapLimit([...repoNames], this.concurrency, async (name) => {
      const repo = await this.attempt('Repository', name, 'ecr:DescribeRepositories', async () => {
        const out = await this.clients.ecr.send(
          new (sdk.ecr().DescribeRepositoriesCommand)({ repositoryNames: [name] }),
        );
        return out.repositories?.[0];
      });
      if (repo === SKIPPED || repo === undefined) return;
      repos.set(name, repo);
      if (closure || targets.repositories?.includes(name)) await this.repository(repo);
    });
    const byRepo = groupImages(targets.images ?? []);
    await mapLimit([...byRepo.entries()], this.concurrency, async ([repoName, ids]) => {
      const repo = repos.get(repoName);
      const arn = repo?.repositoryArn ?? (await this.repositoryArn(repoName));
      if (arn === undefined) return;
      await this.images(repoName, undefined, arn, ids);
    });
    return this.result();
  }

  /** The KMS lookup the adapter calls synchronously: only keys already described are known. */
  private readonly keyLookup: KeyLookup = (keyId) => this.keyResults.get(keyId);

  private result(): CollectResult {
    return { resources: [...this.facts.values()], errors: [...this.errors], notFound: [...this.notFound] };
  }

  private add(f: ResourceFacts): void {
    this.facts.set(f.id, f);
  }

  /** Runs one call for one resource; turns not-found and other failures into recorded entries. */
  private async attempt<T>(
    kind: CollectedKind,
    resource: string,
    operation: string,
    fn: () => Promise<T>,
  ): Promise<Attempt<T>> {
    try {
      return await fn();
    } catch (err) {
      if (isNotFound(err)) {
        this.notFound.push({ resourceKind: kind, resource });
        this.logger.info('resource not found (deleted during the scan?); dropped', {
          resourceKind: kind,
          resource,
          operation,
        });
        return SKIPPED;
      }
      this.recordError(kind, resource, operation, err);
      return SKIPPED;
    }
  }

  private recordError(kind: CollectedKind, resource: string, operation: string, err: unknown): void {
    const entry: ScanError = {
      resourceKind: kind,
      resource,
      operation,
      code: awsErrorName(err) ?? 'Error',
      message: err instanceof Error ? err.message : String(err),
      accessDenied: isAccessDenied(err),
      ...(this.region !== undefined ? { region: this.region } : {}),
    };
    this.errors.push(entry);
    this.logger.error('could not read resource; recorded as a scan error', { ...entry });
  }

  private async list<T>(kind: CollectedKind, operation: string, fn: () => Promise<T[]>): Promise<T[]> {
    try {
      return await fn();
    } catch (err) {
      this.recordError(kind, '*', operation, err);
      return [];
    }
  }

  /**
   * Endpoints with their tags, 100 a page. A failure is no scan error: every endpoint is then read one by one.
   * Only a page's complete records are kept (name, ARN and a tag list).
   */
  private async searchEndpoints(): Promise<void> {
    const found: [string, SearchedEndpoint][] = [];
    try {
      for await (const page of sdk
        .sagemaker()
        .paginateSearch({ client: this.clients.sagemaker, pageSize: this.pageSize }, { Resource: 'Endpoint' })) {
        for (const r of page.Results ?? []) {
          const e = r.Endpoint;
          if (e?.EndpointName === undefined || e.EndpointArn === undefined || e.Tags === undefined) continue;
          found.push([
            e.EndpointName,
            {
              arn: e.EndpointArn,
              tags: e.Tags,
              ...(e.EndpointConfigName !== undefined ? { configName: e.EndpointConfigName } : {}),
            },
          ]);
        }
      }
    } catch (err) {
      this.logger.warn('sagemaker:Search failed; endpoints are read one by one', {
        code: awsErrorName(err) ?? 'Error',
      });
      return;
    }
    for (const [name, e] of found) {
      this.searchedEndpoints.set(name, e);
      this.batchTags.set(e.arn.toLowerCase(), e.tags);
    }
  }

  /**
   * Tags of every resource of one type, 100 a page (tag:GetResources). A failure is no scan error: those resources'
   * tags are then read with ListTags. A resource the answer does not show (never tagged) is read with ListTags too.
   */
  private async tagsInBatch(resourceType: string): Promise<void> {
    const tagging = this.clients.tagging;
    if (tagging === undefined) return;
    const found: [string, SageMakerTag[]][] = [];
    try {
      for await (const page of sdk
        .tagging()
        .paginateGetResources(
          { client: tagging, pageSize: Math.min(this.pageSize, 100) },
          { ResourceTypeFilters: [resourceType] },
        )) {
        for (const m of page.ResourceTagMappingList ?? []) {
          if (m.ResourceARN !== undefined && m.Tags !== undefined) found.push([m.ResourceARN.toLowerCase(), m.Tags]);
        }
      }
    } catch (err) {
      this.logger.warn('tag:GetResources failed; tags are read with ListTags', {
        resourceType,
        code: awsErrorName(err) ?? 'Error',
      });
      return;
    }
    for (const [arn, tags] of found) this.batchTags.set(arn, tags);
  }

  private async sageMakerTags(arn: string): Promise<SageMakerTag[]> {
    const batched = this.batchTags.get(arn.toLowerCase());
    if (batched !== undefined) return batched;
    const tags: SageMakerTag[] = [];
    for await (const page of sdk
      .sagemaker()
      .paginateListTags({ client: this.clients.sagemaker, pageSize: this.pageSize }, { ResourceArn: arn })) {
      tags.push(...(page.Tags ?? []));
    }
    return tags;
  }

  private async endpoint(name: string) {
    const searched = this.searchedEndpoints.get(name);
    const environment = searched?.tags.find((t) => t.Key === TAGS.ENVIRONMENT)?.Value;
    if (
      searched !== undefined &&
      this.productionEnvironments !== undefined &&
      environment !== undefined &&
      !this.productionEnvironments.has(environment)
    ) {
      // Outside production: the rollout rule does not apply, and DescribeEndpoint would add nothing else.
      const out: EndpointFacts = {
        ...endpointFacts(
          {
            EndpointName: name,
            EndpointArn: searched.arn,
            EndpointConfigName: searched.configName,
          } as DescribeEndpointOutput,
          searched.tags,
        ),
        deployment: { strategy: undefined, rollbackAlarmCount: undefined },
      };
      this.add(out);
      return out;
    }
    const out = await this.attempt('Endpoint', name, 'sagemaker:DescribeEndpoint', async () => {
      const ep = await this.clients.sagemaker.send(
        new (sdk.sagemaker().DescribeEndpointCommand)({ EndpointName: name }),
      );
      const tags = await this.sageMakerTags(ep.EndpointArn as string);
      return endpointFacts(ep, tags);
    });
    if (out !== SKIPPED) this.add(out);
    return out;
  }

  private async endpointConfig(name: string) {
    const out = await this.attempt('EndpointConfig', name, 'sagemaker:DescribeEndpointConfig', async () => {
      const cfg = await this.clients.sagemaker.send(
        new (sdk.sagemaker().DescribeEndpointConfigCommand)({ EndpointConfigName: name }),
      );
      const [tags] = await Promise.all([
        this.sageMakerTags(cfg.EndpointConfigArn as string),
        this.resolveKey(cfg.KmsKeyId),
        this.resolveKey(cfg.DataCaptureConfig?.KmsKeyId),
      ]);
      return endpointConfigFacts(cfg, tags, this.keyLookup);
    });
    if (out !== SKIPPED) this.add(out);
    return out;
  }

  private async model(name: string) {
    const out = await this.attempt('Model', name, 'sagemaker:DescribeModel', async () => {
      const model = await this.clients.sagemaker.send(new (sdk.sagemaker().DescribeModelCommand)({ ModelName: name }));
      return modelFacts(model, await this.sageMakerTags(model.ModelArn as string));
    });
    if (out !== SKIPPED) this.add(out);
    return out;
  }

  private registryConfig(): Promise<RegistryScanningConfiguration | undefined> {
    this.registryScanning ??= (async () => {
      try {
        return (await this.clients.ecr.send(new (sdk.ecr().GetRegistryScanningConfigurationCommand)({})))
          .scanningConfiguration;
      } catch (err) {
        // Without it, only the repository-level scanOnPush flag is seen: record why the verdict may be incomplete.
        this.recordError('Registry', 'scanning-configuration', 'ecr:GetRegistryScanningConfiguration', err);
        return undefined;
      }
    })();
    return this.registryScanning;
  }

  private async repository(repo: Repository) {
    const name = repo.repositoryName ?? '';
    const out = await this.attempt('Repository', name, 'ecr:ListTagsForResource+GetLifecyclePolicy', async () => {
      const [tags, hasLifecyclePolicy, registryScanning] = await Promise.all([
        (async () =>
          (await this.clients.ecr.send(new (sdk.ecr().ListTagsForResourceCommand)({ resourceArn: repo.repositoryArn })))
            .tags ?? [])(),
        (async () => {
          try {
            await this.clients.ecr.send(
              new (sdk.ecr().GetLifecyclePolicyCommand)({ repositoryName: name, registryId: repo.registryId }),
            );
            return true;
          } catch (err) {
            if (awsErrorName(err) === 'LifecyclePolicyNotFoundException') return false;
            throw err;
          }
        })(),
        this.registryConfig(),
        this.resolveKey(repo.encryptionConfiguration?.kmsKey),
      ]);
      return repositoryFacts(repo, { tags, hasLifecyclePolicy, registryScanning, keys: this.keyLookup });
    });
    if (out !== SKIPPED) this.add(out);
    return out;
  }

  private async repositoryArn(name: string, registryId?: string): Promise<string | undefined> {
    const repo = await this.attempt('Repository', name, 'ecr:DescribeRepositories', async () => {
      const out = await this.clients.ecr.send(
        new (sdk.ecr().DescribeRepositoriesCommand)({ repositoryNames: [name], registryId }),
      );
      return out.repositories?.[0];
    });
    return repo === SKIPPED ? undefined : repo?.repositoryArn;
  }

  /** Images the collected models run, grouped per repository: one DescribeImages call per 100 images. */
  private async imagesInUse(repos: readonly Repository[]): Promise<void> {
    const refs: ImageTarget[] = [];
    const registryOf = new Map<string, string>();
    for (const f of this.facts.values()) {
      if (f.kind !== 'Model') continue;
      for (const uri of f.images) {
        const ref = parseEcrImageUri(uri);
        if (!ref) continue;
        registryOf.set(ref.repositoryName, ref.registryId);
        refs.push({
          repository: ref.repositoryName,
          ...(ref.tag ? { tag: ref.tag } : {}),
          ...(ref.digest ? { digest: ref.digest } : {}),
        });
      }
    }
    const byRepo = groupImages(refs);
    const repoArns = new Map<string, string>();
    for (const r of repos) if (r.repositoryName && r.repositoryArn) repoArns.set(r.repositoryName, r.repositoryArn);
    await mapLimit([...byRepo.entries()], this.concurrency, async ([repoName, ids]) => {
      const arn = repoArns.get(repoName) ?? (await this.repositoryArn(repoName, registryOf.get(repoName)));
      if (arn !== undefined) await this.images(repoName, registryOf.get(repoName), arn, ids);
    });
  }

  private async allImagesOf(repo: Repository): Promise<void> {
    const name = repo.repositoryName ?? '';
    const details = await this.attempt('Image', `${name}/*`, 'ecr:DescribeImages', async () => {
      const out: ImageDetail[] = [];
      const pager = { client: this.clients.ecr, pageSize: this.pageSize };
      for await (const page of sdk
        .ecr()
        .paginateDescribeImages(pager, { repositoryName: name, registryId: repo.registryId })) {
        out.push(...(page.imageDetails ?? []));
      }
      return out;
    });
    if (details === SKIPPED) return;
    await mapLimit(details, this.concurrency, (d) => this.image(d, repo.repositoryArn ?? ''));
  }

  private async images(
    repoName: string,
    registryId: string | undefined,
    repositoryArn: string,
    ids: ImageIdentifier[],
  ) {
    const describe = (imageIds: ImageIdentifier[]) =>
      this.clients.ecr.send(new (sdk.ecr().DescribeImagesCommand)({ repositoryName: repoName, registryId, imageIds }));
    const label = (id: ImageIdentifier) =>
      `${repoName}${id.imageDigest ? `@${id.imageDigest}` : `:${id.imageTag ?? '?'}`}`;
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      let details: ImageDetail[] | undefined;
      try {
        details = (await describe(chunk)).imageDetails ?? [];
      } catch (err) {
        // One missing image fails the whole call: ask again one image at a time so the others are still judged.
        if (!isNotFound(err) || chunk.length === 1) {
          const what = chunk.length === 1 ? label(chunk[0] as ImageIdentifier) : `${repoName} (${chunk.length} images)`;
          await this.attempt('Image', what, 'ecr:DescribeImages', () => Promise.reject(err));
          continue;
        }
        details = [];
        for (const id of chunk) {
          const one = await this.attempt('Image', label(id), 'ecr:DescribeImages', () => describe([id]));
          if (one !== SKIPPED) details.push(...(one.imageDetails ?? []));
        }
      }
      await mapLimit(details, this.concurrency, (d) => this.image(d, repositoryArn));
    }
  }

  private async image(detail: ImageDetail, repositoryArn: string): Promise<void> {
    const ref = `${detail.repositoryName ?? '?'}@${detail.imageDigest ?? '?'}`;
    const out = await this.attempt('Image', ref, 'ecr:DescribeImageScanFindings', async () => {
      // DescribeImages carries the scan summary when there is one; only ask for findings when it does not.
      if (detail.imageScanStatus !== undefined) return imageFacts(detail, repositoryArn);
      try {
        const findings = await this.clients.ecr.send(
          new (sdk.ecr().DescribeImageScanFindingsCommand)({
            repositoryName: detail.repositoryName,
            registryId: detail.registryId,
            imageId: { imageDigest: detail.imageDigest },
            maxResults: 1,
          }),
        );
        return imageFacts(detail, repositoryArn, findings);
      } catch (err) {
        // Never scanned: a fact ("no scan"), not a missing resource.
        if (awsErrorName(err) === 'ScanNotFoundException') return imageFacts(detail, repositoryArn);
        throw err;
      }
    });
    if (out !== SKIPPED) this.add(out);
  }

  /**
   * The key policy of a customer-managed key the judged resources use (MLOPS-KMS-1), once per key. An unreadable
   * policy is recorded and judged unknown (non-compliant), never clean.
   */
  private async keyPolicy(metadata: KeyMetadata): Promise<void> {
    const arn = metadata.Arn as string;
    if (this.keyPolicies.has(arn)) return;
    this.keyPolicies.add(arn);
    let policy: string | undefined;
    try {
      policy = (await this.clients.kms.send(new (sdk.kms().GetKeyPolicyCommand)({ KeyId: arn, PolicyName: 'default' })))
        .Policy;
    } catch (err) {
      this.recordError('Key', arn, 'kms:GetKeyPolicy', err);
    }
    this.add(keyFacts(metadata, policy));
  }

  /** DescribeKey once per key id; a denied lookup is a recorded error and leaves `customerManaged` unknown. */
  private resolveKey(keyId: string | undefined): Promise<boolean | undefined> {
    if (keyId === undefined || keyId === '') return Promise.resolve(undefined);
    let pending = this.keyCache.get(keyId);
    if (!pending) {
      pending = (async () => {
        let customerManaged: boolean | undefined;
        try {
          const metadata = (await this.clients.kms.send(new (sdk.kms().DescribeKeyCommand)({ KeyId: keyId })))
            .KeyMetadata;
          customerManaged = isCustomerManaged(metadata);
          if (customerManaged === true && metadata?.Arn !== undefined) await this.keyPolicy(metadata);
        } catch (err) {
          this.recordError('Key', keyId, 'kms:DescribeKey', err);
        }
        this.keyResults.set(keyId, customerManaged);
        return customerManaged;
      })();
      this.keyCache.set(keyId, pending);
    }
    return pending;
  }
}

function dedupe(names: readonly string[] | undefined): string[] {
  return [...new Set(names ?? [])];
}

function groupImages(images: readonly ImageTarget[]): Map<string, ImageIdentifier[]> {
  const out = new Map<string, ImageIdentifier[]>();
  const seen = new Set<string>();
  for (const i of images) {
    const key = `${i.repository}|${i.tag ?? ''}|${i.digest ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id: ImageIdentifier = i.digest ? { imageDigest: i.digest } : { imageTag: i.tag ?? 'latest' };
    out.set(i.repository, [...(out.get(i.repository) ?? []), id]);
  }
  return out;
}
