/**
 * Lambda entry point: each client built once per container, on first use; settings read and validated once at cold start.
 * A bad setting fails the cold start (INIT error) with a message naming the variable, before any event is judged.
 */
import { clientConfig, lazily } from '../shared/clients';
import { createLogger } from '../shared/logger';
import { CollectorClients } from './collect';
import { CheckerClients, makeHandler } from './handler';
import { readSettings } from './settings';
import { sdk } from './sdk';

const logger = createLogger('compliance-checker');
const settings = readSettings();
const config = clientConfig();

/** Clients for the other scanned regions, built on first use and kept for the container's life. */
const regional = new Map<string, CollectorClients>();
function clientsFor(region: string): CollectorClients {
  let c = regional.get(region);
  if (c === undefined) {
    const cfg = clientConfig({ region });
    c = lazily<CollectorClients>({
      sagemaker: () => new (sdk.sagemaker().SageMakerClient)(cfg),
      ecr: () => new (sdk.ecr().ECRClient)(cfg),
      kms: () => new (sdk.kms().KMSClient)(cfg),
      s3: () => new (sdk.s3().S3Client)(cfg),
      tagging: () => new (sdk.tagging().ResourceGroupsTaggingAPIClient)(cfg),
      events: () => new (sdk.events().EventBridgeClient)(cfg),
    });
    regional.set(region, c);
  }
  return c;
}

export const handler = makeHandler({
  // Built on first use, so each entry point (schedule, Config rule, pipeline gate) pays only for its own clients.
  clients: lazily<CheckerClients>({
    sagemaker: () => new (sdk.sagemaker().SageMakerClient)(config),
    ecr: () => new (sdk.ecr().ECRClient)(config),
    kms: () => new (sdk.kms().KMSClient)(config),
    // IAM is global: the home clients read the roles of every scanned region's models.
    iam: () => new (sdk.iam().IAMClient)(config),
    s3: () => new (sdk.s3().S3Client)(config),
    cloudwatch: () => new (sdk.cloudwatch().CloudWatchClient)(config),
    sns: () => new (sdk.sns().SNSClient)(config),
    config: () => new (sdk.config().ConfigServiceClient)(config),
    codepipeline: () => new (sdk.codepipeline().CodePipelineClient)(config),
    tagging: () => new (sdk.tagging().ResourceGroupsTaggingAPIClient)(config),
    events: () => new (sdk.events().EventBridgeClient)(config),
  }),
  settings,
  logger,
  clientsFor,
  ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
});
