/**
 * Reads live facts for the rules: one `Collector` per invocation coordinates a reader per service (sagemaker.ts,
 * ecr.ts, s3.ts, kms.ts, iam.ts, events.ts, tags.ts) over one `Scan` (scan.ts: the facts, the errors, the concurrency limit and the
 * fault model). Every resource is described once per collection (dedupe by ARN), and each KMS key once.
 */
import type { Repository } from '@aws-sdk/client-ecr';
import { ResourceFacts, ResourceKind } from '../../../core/policy/facts';
import type { Logger } from '../../shared/logger';
import { EcrReader } from './ecr';
import { EventsReader } from './events';
import { IamReader } from './iam';
import { KeyReader } from './kms';
import { S3Reader } from './s3';
import { SageMakerReader } from './sagemaker';
import { Scan, SKIPPED } from './scan';
import { SageMakerTags } from './tags';
import type { CollectorClients, CollectorOptions, CollectResult, TargetOptions, Targets } from './types';

export type * from './types';

const unique = (names: readonly string[] | undefined): string[] => [...new Set(names ?? [])];

export class Collector {
  private readonly scan: Scan;
  private readonly sagemaker: SageMakerReader;
  private readonly tags: SageMakerTags;
  private readonly ecr: EcrReader;
  private readonly s3?: S3Reader;
  private readonly iam?: IamReader;
  private readonly events?: EventsReader;
  private readonly imageScope: 'in-use' | 'all';

  constructor(clients: CollectorClients, logger: Logger, opts: CollectorOptions = {}) {
    this.scan = new Scan(logger, {
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
    });
    this.imageScope = opts.imageScope ?? 'in-use';
    const keys = new KeyReader(this.scan, clients.kms);
    this.tags = new SageMakerTags(this.scan, clients.sagemaker, clients.tagging);
    this.sagemaker = new SageMakerReader(this.scan, clients.sagemaker, this.tags, keys, opts.productionEnvironments);
    this.ecr = new EcrReader(this.scan, clients.ecr, keys);
    const s3 = clients.s3;
    if (s3 !== undefined) this.s3 = new S3Reader(this.scan, s3, opts.s3For ?? (() => s3), keys);
    if (clients.iam !== undefined) this.iam = new IamReader(this.scan, clients.iam);
    if (clients.events !== undefined) this.events = new EventsReader(this.scan, clients.events);
  }

  /**
   * The execution roles of the models among `resources` (which may come from other regions' collections: IAM is
   * global, so a scan reads each role once for the whole account), their trust and identity policies.
   */
  async collectRoles(resources: readonly ResourceFacts[]): Promise<CollectResult> {
    await this.readRoles(resources);
    return this.scan.result();
  }

  private async readRoles(resources: readonly ResourceFacts[]): Promise<void> {
    if (this.iam !== undefined) return this.iam.rolesOf(resources);
    if (resources.some((r) => r.kind === 'Model' && r.executionRoleArn !== undefined))
      // Never silence: without an IAM client the IAM rules are reported as not evaluated.
      this.scan.recordError('Role', '*', 'iam:GetRole', new Error('no IAM client given to the collector'));
  }

  /**
   * The region's EventBridge rules and their targets. `buckets`: every collection's facts, capture destinations
   * marked, so a rule on a bucket an endpoint captures to is judged as one on captured data.
   */
  async collectEventRules(buckets: readonly ResourceFacts[]): Promise<CollectResult> {
    if (this.events !== undefined) await this.events.all(buckets);
    // Never silence: without an EventBridge client the rule is reported as not evaluated.
    else this.scan.recordError('EventRule', '*', 'events:ListRules', new Error('no EventBridge client given'));
    return this.scan.result();
  }

  /** Every bucket of the account (none without an S3 client: their rules are then not evaluated). */
  async collectBuckets(): Promise<CollectResult> {
    await this.s3?.all();
    return this.scan.result();
  }

  /**
   * Every endpoint, endpoint config, model and repository in the region, plus images per `imageScope`.
   * `kinds` narrows the scan (an AWS Config rule needs only the kinds its rule covers); in-use images need models.
   */
  async collectAll(kinds?: ReadonlySet<ResourceKind>): Promise<CollectResult> {
    const want = (k: ResourceKind) => kinds === undefined || kinds.has(k);
    const wantImages = want('Image');
    const none = async <T>(): Promise<T[]> => [];
    const [endpoints, configs, models, repos] = await Promise.all([
      want('Endpoint') ? this.sagemaker.listEndpoints() : none<string>(),
      want('EndpointConfig') ? this.sagemaker.listEndpointConfigs() : none<string>(),
      want('Model') || (wantImages && this.imageScope === 'in-use') ? this.sagemaker.listModels() : none<string>(),
      want('Repository') || wantImages ? this.ecr.listRepositories() : none<Repository>(),
    ]);
    this.scan.logger.info('listed resources', {
      endpoints: endpoints.length,
      endpointConfigs: configs.length,
      models: models.length,
      repositories: repos.length,
    });
    await Promise.all([
      endpoints.length > 0 ? this.tags.searchEndpoints() : undefined,
      configs.length > 0 ? this.tags.readInBatch('sagemaker:endpoint-config') : undefined,
      models.length > 0 ? this.tags.readInBatch('sagemaker:model') : undefined,
    ]);
    const tasks: (() => Promise<unknown>)[] = [
      ...endpoints.map((n) => () => this.sagemaker.endpoint(n)),
      ...configs.map((n) => () => this.sagemaker.endpointConfig(n)),
      ...models.map((n) => () => this.sagemaker.model(n)),
      ...(want('Repository') ? repos.map((r) => () => this.ecr.repository(r)) : []),
    ];
    await this.scan.each(tasks, (t) => t());
    if (wantImages && this.imageScope === 'all') await this.scan.each(repos, (r) => this.ecr.allImagesOf(r));
    if (wantImages && this.imageScope === 'in-use') await this.ecr.imagesInUse(this.scan.resources(), repos);
    return this.scan.result();
  }

  /** Named resources, and (unless told otherwise) what they depend on: see `TargetOptions.withDependencies`. */
  async collectTargets(targets: Targets, opts: TargetOptions = {}): Promise<CollectResult> {
    const withDependencies = opts.withDependencies ?? true;
    const configNames = new Set(targets.endpointConfigs ?? []);
    const modelNames = new Set(targets.models ?? []);
    const endpoints = await this.scan.each(unique(targets.endpoints), (n) => this.sagemaker.endpoint(n));
    if (withDependencies)
      for (const e of endpoints) if (e !== SKIPPED && e.endpointConfigName) configNames.add(e.endpointConfigName);
    const configs = await this.scan.each([...configNames], (n) => this.sagemaker.endpointConfig(n));
    if (withDependencies) for (const c of configs) if (c !== SKIPPED) c.modelNames.forEach((m) => modelNames.add(m));
    await this.scan.each([...modelNames], (n) => this.sagemaker.model(n));
    // A deployment gate judges the roles its models run with; a Config rule judges exactly the resource named.
    if (withDependencies) await this.readRoles(this.scan.resources());

    const repoNames = new Set(targets.repositories ?? []);
    if (withDependencies) for (const i of targets.images ?? []) repoNames.add(i.repository);
    const repos = new Map<string, Repository>();
    await this.scan.each([...repoNames], async (name) => {
      const repo = await this.ecr.describeRepository(name);
      if (repo === undefined) return;
      repos.set(name, repo);
      if (withDependencies || targets.repositories?.includes(name)) await this.ecr.repository(repo);
    });
    await this.ecr.namedImages(targets.images ?? [], repos);
    return this.scan.result();
  }
}
