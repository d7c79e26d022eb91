/**
 * SageMaker endpoints, endpoint configs and models: listed with the SDK paginators, described one by one. An
 * endpoint whose Environment tag (read in batch) is outside the production environments is not described: the only
 * fact DescribeEndpoint adds is the last deployment configuration, which only the production rollout rule reads; it
 * is recorded as unknown.
 */
import type { DescribeEndpointOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EndpointFacts, TAGS } from '../../../core/policy/facts';
import { endpointConfigFacts, endpointFacts, modelFacts } from '../../../core/policy/from-aws';
import { sdk } from '../sdk';
import type { KeyReader } from './kms';
import { allPages, Scan, SKIPPED } from './scan';
import type { SageMakerTags } from './tags';

export class SageMakerReader {
  private readonly productionEnvironments?: ReadonlySet<string>;

  constructor(
    private readonly scan: Scan,
    private readonly sagemaker: SageMakerClient,
    private readonly tags: SageMakerTags,
    private readonly keys: KeyReader,
    productionEnvironments: readonly string[] | undefined,
  ) {
    if (productionEnvironments !== undefined) this.productionEnvironments = new Set(productionEnvironments);
  }

  private get pager() {
    return { client: this.sagemaker, pageSize: this.scan.pageSize };
  }

  listEndpoints(): Promise<string[]> {
    return this.scan.list('Endpoint', 'sagemaker:ListEndpoints', async () =>
      (await allPages(sdk.sagemaker().paginateListEndpoints(this.pager, {}), (p) => p.Endpoints)).flatMap((e) =>
        e.EndpointName ? [e.EndpointName] : [],
      ),
    );
  }

  listEndpointConfigs(): Promise<string[]> {
    return this.scan.list('EndpointConfig', 'sagemaker:ListEndpointConfigs', async () =>
      (await allPages(sdk.sagemaker().paginateListEndpointConfigs(this.pager, {}), (p) => p.EndpointConfigs)).flatMap(
        (c) => (c.EndpointConfigName ? [c.EndpointConfigName] : []),
      ),
    );
  }

  listModels(): Promise<string[]> {
    return this.scan.list('Model', 'sagemaker:ListModels', async () =>
      (await allPages(sdk.sagemaker().paginateListModels(this.pager, {}), (p) => p.Models)).flatMap((m) =>
        m.ModelName ? [m.ModelName] : [],
      ),
    );
  }

  async endpoint(name: string) {
    const searched = this.tags.searchedEndpoint(name);
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
      this.scan.add(out);
      return out;
    }
    const out = await this.scan.attempt('Endpoint', name, 'sagemaker:DescribeEndpoint', async () => {
      const ep = await this.sagemaker.send(new (sdk.sagemaker().DescribeEndpointCommand)({ EndpointName: name }));
      return endpointFacts(ep, await this.tags.of(ep.EndpointArn as string));
    });
    if (out !== SKIPPED) this.scan.add(out);
    return out;
  }

  async endpointConfig(name: string) {
    const out = await this.scan.attempt('EndpointConfig', name, 'sagemaker:DescribeEndpointConfig', async () => {
      const cfg = await this.sagemaker.send(
        new (sdk.sagemaker().DescribeEndpointConfigCommand)({ EndpointConfigName: name }),
      );
      const [tags] = await Promise.all([
        this.tags.of(cfg.EndpointConfigArn as string),
        this.keys.resolve(cfg.KmsKeyId),
        this.keys.resolve(cfg.DataCaptureConfig?.KmsKeyId),
      ]);
      return endpointConfigFacts(cfg, tags, this.keys.lookup);
    });
    if (out !== SKIPPED) this.scan.add(out);
    return out;
  }

  async model(name: string) {
    const out = await this.scan.attempt('Model', name, 'sagemaker:DescribeModel', async () => {
      const model = await this.sagemaker.send(new (sdk.sagemaker().DescribeModelCommand)({ ModelName: name }));
      return modelFacts(model, await this.tags.of(model.ModelArn as string));
    });
    if (out !== SKIPPED) this.scan.add(out);
    return out;
  }
}
