/**
 * Lambda entry point: each client built once per container, on first use; settings read and validated once at cold start.
 * A bad setting fails the cold start (INIT error) with a message naming the variable, before any event is judged.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { ECRClient } from '@aws-sdk/client-ecr';
import { KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { clientConfig, lazily } from '../shared/clients';
import { createLogger } from '../shared/logger';
import { CollectorClients } from './collect';
import { CheckerClients, makeHandler } from './handler';
import { readSettings } from './settings';

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
      sagemaker: () => new SageMakerClient(cfg),
      ecr: () => new ECRClient(cfg),
      kms: () => new KMSClient(cfg),
      s3: () => new S3Client(cfg),
      tagging: () => new ResourceGroupsTaggingAPIClient(cfg),
    });
    regional.set(region, c);
  }
  return c;
}

export const handler = makeHandler({
  // Built on first use, so each entry point (schedule, Config rule, pipeline gate) pays only for its own clients.
  clients: lazily<CheckerClients>({
    sagemaker: () => new SageMakerClient(config),
    ecr: () => new ECRClient(config),
    kms: () => new KMSClient(config),
    s3: () => new S3Client(config),
    cloudwatch: () => new CloudWatchClient(config),
    sns: () => new SNSClient(config),
    config: () => new ConfigServiceClient(config),
    codepipeline: () => new CodePipelineClient(config),
    tagging: () => new ResourceGroupsTaggingAPIClient(config),
  }),
  settings,
  logger,
  clientsFor,
  ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
});
