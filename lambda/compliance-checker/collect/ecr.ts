/**
 * ECR repositories and images. Images are described 100 to a call; an image's findings are read only when
 * DescribeImages carries no scan summary. The registry's scanning configuration is read once per collection.
 */
import type {
  ECRClient,
  ImageDetail,
  ImageIdentifier,
  RegistryScanningConfiguration,
  Repository,
} from '@aws-sdk/client-ecr';
import type { ResourceFacts } from '../../../core/policy/facts';
import { imageFacts, parseEcrImageUri, repositoryFacts } from '../../../core/policy/from-aws';
import { awsErrorName, isNotFound } from '../../shared/errors';
import { sdk } from '../sdk';
import type { KeyReader } from './kms';
import { allPages, Scan, SKIPPED } from './scan';
import type { ImageTarget } from './types';

const IMAGES_PER_CALL = 100;

export class EcrReader {
  private registryScanning?: Promise<RegistryScanningConfiguration | undefined>;

  constructor(
    private readonly scan: Scan,
    private readonly ecr: ECRClient,
    private readonly keys: KeyReader,
  ) {}

  listRepositories(): Promise<Repository[]> {
    return this.scan.list('Repository', 'ecr:DescribeRepositories', () =>
      allPages(
        sdk.ecr().paginateDescribeRepositories({ client: this.ecr, pageSize: this.scan.pageSize }, {}),
        (p) => p.repositories,
      ),
    );
  }

  /** One named repository; `undefined` when it could not be read (recorded) or does not exist. */
  async describeRepository(name: string, registryId?: string): Promise<Repository | undefined> {
    const repo = await this.scan.attempt('Repository', name, 'ecr:DescribeRepositories', async () => {
      const out = await this.ecr.send(
        new (sdk.ecr().DescribeRepositoriesCommand)({
          repositoryNames: [name],
          ...(registryId !== undefined ? { registryId } : {}),
        }),
      );
      return out.repositories?.[0];
    });
    return repo === SKIPPED ? undefined : repo;
  }

  async repository(repo: Repository) {
    const name = repo.repositoryName ?? '';
    const out = await this.scan.attempt('Repository', name, 'ecr:ListTagsForResource+GetLifecyclePolicy', async () => {
      const [tags, hasLifecyclePolicy, registryScanning, , policy] = await Promise.all([
        (async () =>
          (await this.ecr.send(new (sdk.ecr().ListTagsForResourceCommand)({ resourceArn: repo.repositoryArn }))).tags ??
          [])(),
        this.hasLifecyclePolicy(name, repo.registryId),
        this.registryConfig(),
        this.keys.resolve(repo.encryptionConfiguration?.kmsKey),
        this.repositoryPolicy(name, repo.registryId),
      ]);
      return repositoryFacts(repo, { tags, hasLifecyclePolicy, registryScanning, keys: this.keys.lookup, policy });
    });
    if (out !== SKIPPED) this.scan.add(out);
    return out;
  }

  /** Images the collected models run, grouped per repository: one DescribeImages call per 100 images. */
  async imagesInUse(models: readonly ResourceFacts[], repos: readonly Repository[]): Promise<void> {
    const refs: ImageTarget[] = [];
    const registryOf = new Map<string, string>();
    for (const f of models) {
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
    const repoArns = new Map<string, string>();
    for (const r of repos) if (r.repositoryName && r.repositoryArn) repoArns.set(r.repositoryName, r.repositoryArn);
    await this.scan.each([...groupImages(refs).entries()], async ([repoName, ids]) => {
      const registryId = registryOf.get(repoName);
      const arn = repoArns.get(repoName) ?? (await this.describeRepository(repoName, registryId))?.repositoryArn;
      if (arn !== undefined) await this.images({ repositoryName: repoName, registryId, repositoryArn: arn }, ids);
    });
  }

  /** Named images, grouped per repository; `repos` are the repositories already described. */
  async namedImages(images: readonly ImageTarget[], repos: ReadonlyMap<string, Repository>): Promise<void> {
    await this.scan.each([...groupImages(images).entries()], async ([repoName, ids]) => {
      const arn = repos.get(repoName)?.repositoryArn ?? (await this.describeRepository(repoName))?.repositoryArn;
      if (arn !== undefined) await this.images({ repositoryName: repoName, repositoryArn: arn }, ids);
    });
  }

  async allImagesOf(repo: Repository): Promise<void> {
    const name = repo.repositoryName ?? '';
    const details = await this.scan.attempt('Image', `${name}/*`, 'ecr:DescribeImages', () =>
      allPages(
        sdk
          .ecr()
          .paginateDescribeImages(
            { client: this.ecr, pageSize: this.scan.pageSize },
            { repositoryName: name, registryId: repo.registryId },
          ),
        (p) => p.imageDetails,
      ),
    );
    if (details === SKIPPED) return;
    await this.scan.each(details, (d) => this.image(d, repo.repositoryArn ?? ''));
  }

  private registryConfig(): Promise<RegistryScanningConfiguration | undefined> {
    this.registryScanning ??= (async () => {
      try {
        return (await this.ecr.send(new (sdk.ecr().GetRegistryScanningConfigurationCommand)({}))).scanningConfiguration;
      } catch (err) {
        // Without it, only the repository-level scanOnPush flag is seen: record why the verdict may be incomplete.
        this.scan.recordError('Registry', 'scanning-configuration', 'ecr:GetRegistryScanningConfiguration', err);
        return undefined;
      }
    })();
    return this.registryScanning;
  }

  /**
   * The repository policy (MLOPS-ECR-5): null when there is none; undefined when it could not be read (recorded,
   * and the rule says unknown), without failing the repository's other facts.
   */
  private async repositoryPolicy(repositoryName: string, registryId: string | undefined) {
    try {
      const out = await this.ecr.send(new (sdk.ecr().GetRepositoryPolicyCommand)({ repositoryName, registryId }));
      return out.policyText ?? null;
    } catch (err) {
      if (awsErrorName(err) === 'RepositoryPolicyNotFoundException') return null;
      this.scan.recordError('Repository', repositoryName, 'ecr:GetRepositoryPolicy', err);
      return undefined;
    }
  }

  private async hasLifecyclePolicy(repositoryName: string, registryId: string | undefined): Promise<boolean> {
    try {
      await this.ecr.send(new (sdk.ecr().GetLifecyclePolicyCommand)({ repositoryName, registryId }));
      return true;
    } catch (err) {
      if (awsErrorName(err) === 'LifecyclePolicyNotFoundException') return false;
      throw err;
    }
  }

  private async images(
    repo: { readonly repositoryName: string; readonly registryId?: string; readonly repositoryArn: string },
    ids: ImageIdentifier[],
  ) {
    const { repositoryName, registryId } = repo;
    const describe = (imageIds: ImageIdentifier[]) =>
      this.ecr.send(new (sdk.ecr().DescribeImagesCommand)({ repositoryName, registryId, imageIds }));
    const label = (id: ImageIdentifier) =>
      `${repositoryName}${id.imageDigest ? `@${id.imageDigest}` : `:${id.imageTag ?? '?'}`}`;
    for (let i = 0; i < ids.length; i += IMAGES_PER_CALL) {
      const chunk = ids.slice(i, i + IMAGES_PER_CALL);
      let details: ImageDetail[] | undefined;
      try {
        details = (await describe(chunk)).imageDetails ?? [];
      } catch (err) {
        // One missing image fails the whole call: ask again one image at a time so the others are still judged.
        if (!isNotFound(err) || chunk.length === 1) {
          const what =
            chunk.length === 1 ? label(chunk[0] as ImageIdentifier) : `${repositoryName} (${chunk.length} images)`;
          await this.scan.attempt('Image', what, 'ecr:DescribeImages', () => Promise.reject(err));
          continue;
        }
        details = [];
        for (const id of chunk) {
          const one = await this.scan.attempt('Image', label(id), 'ecr:DescribeImages', () => describe([id]));
          if (one !== SKIPPED) details.push(...(one.imageDetails ?? []));
        }
      }
      await this.scan.each(details, (d) => this.image(d, repo.repositoryArn));
    }
  }

  private async image(detail: ImageDetail, repositoryArn: string): Promise<void> {
    const ref = `${detail.repositoryName ?? '?'}@${detail.imageDigest ?? '?'}`;
    const out = await this.scan.attempt('Image', ref, 'ecr:DescribeImageScanFindings', async () => {
      // DescribeImages carries the scan summary when there is one; only ask for findings when it does not.
      if (detail.imageScanStatus !== undefined) return imageFacts(detail, repositoryArn);
      try {
        const findings = await this.ecr.send(
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
    if (out !== SKIPPED) this.scan.add(out);
  }
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
