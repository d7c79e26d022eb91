/**
 * SageMaker tags, read in batches where the APIs allow it and one ListTags per resource where they do not (a failed
 * batch, a resource the batch does not show): the listings stay the authority on what exists.
 * - endpoints: SageMaker `Search` (pages of 100: name, ARN, config name, tags).
 * - endpoint configs and models: the Resource Groups Tagging API `GetResources` (pages of 100, per resource type).
 */
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient, Tag as SageMakerTag } from '@aws-sdk/client-sagemaker';
import { awsErrorName } from '../../shared/errors';
import { sdk } from '../sdk';
import { allPages, Scan } from './scan';

/** An endpoint as SageMaker `Search` shows it. */
export interface SearchedEndpoint {
  readonly arn: string;
  readonly configName?: string;
  readonly tags: SageMakerTag[];
}

export class SageMakerTags {
  /** Tags read in batch, by lower-cased ARN; a resource not in it has its tags read with ListTags. */
  private readonly batched = new Map<string, SageMakerTag[]>();
  /** Endpoints read in batch by SageMaker Search, by name. */
  private readonly endpoints = new Map<string, SearchedEndpoint>();

  constructor(
    private readonly scan: Scan,
    private readonly sagemaker: SageMakerClient,
    private readonly tagging: ResourceGroupsTaggingAPIClient | undefined,
  ) {}

  searchedEndpoint(name: string): SearchedEndpoint | undefined {
    return this.endpoints.get(name);
  }

  /**
   * Endpoints with their tags, 100 a page. A failure is no scan error: every endpoint is then read one by one.
   * Only a page's complete records are kept (name, ARN and a tag list).
   */
  async searchEndpoints(): Promise<void> {
    let found: [string, SearchedEndpoint][];
    try {
      const pages = sdk
        .sagemaker()
        .paginateSearch({ client: this.sagemaker, pageSize: this.scan.pageSize }, { Resource: 'Endpoint' });
      found = (await allPages(pages, (p) => p.Results)).flatMap(({ Endpoint: e }): [string, SearchedEndpoint][] =>
        e?.EndpointName === undefined || e.EndpointArn === undefined || e.Tags === undefined
          ? []
          : [
              [
                e.EndpointName,
                {
                  arn: e.EndpointArn,
                  tags: e.Tags,
                  ...(e.EndpointConfigName !== undefined ? { configName: e.EndpointConfigName } : {}),
                },
              ],
            ],
      );
    } catch (err) {
      this.scan.logger.warn('sagemaker:Search failed; endpoints are read one by one', {
        code: awsErrorName(err) ?? 'Error',
      });
      return;
    }
    for (const [name, e] of found) {
      this.endpoints.set(name, e);
      this.batched.set(e.arn.toLowerCase(), e.tags);
    }
  }

  /**
   * Tags of every resource of one type, 100 a page (tag:GetResources). A failure is no scan error: those resources'
   * tags are then read with ListTags. A resource the answer does not show (never tagged) is read with ListTags too.
   */
  async readInBatch(resourceType: string): Promise<void> {
    const tagging = this.tagging;
    if (tagging === undefined) return;
    let found: [string, SageMakerTag[]][];
    try {
      const pages = sdk
        .tagging()
        .paginateGetResources(
          { client: tagging, pageSize: Math.min(this.scan.pageSize, 100) },
          { ResourceTypeFilters: [resourceType] },
        );
      found = (await allPages(pages, (p) => p.ResourceTagMappingList)).flatMap((m): [string, SageMakerTag[]][] =>
        m.ResourceARN !== undefined && m.Tags !== undefined ? [[m.ResourceARN.toLowerCase(), m.Tags]] : [],
      );
    } catch (err) {
      this.scan.logger.warn('tag:GetResources failed; tags are read with ListTags', {
        resourceType,
        code: awsErrorName(err) ?? 'Error',
      });
      return;
    }
    for (const [arn, tags] of found) this.batched.set(arn, tags);
  }

  async of(arn: string): Promise<SageMakerTag[]> {
    const batched = this.batched.get(arn.toLowerCase());
    if (batched !== undefined) return batched;
    const pages = sdk
      .sagemaker()
      .paginateListTags({ client: this.sagemaker, pageSize: this.scan.pageSize }, { ResourceArn: arn });
    return allPages(pages, (p) => p.Tags);
  }
}
