/** What the compliance checker's integration tests build in moto: one helper, both test files. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateEndpointConfigInput,
  CreateModelCommand,
  CreateModelInput,
  SageMakerClient,
  Tag,
} from '@aws-sdk/client-sagemaker';
import type { CheckerClients } from '../../lambda/compliance-checker/handler';
import type { CheckerSettings } from '../../lambda/compliance-checker/settings';
import { MOTO_ACCOUNT, MotoClientConfig } from './aws-env';
import { POLICY, REGION } from './fake-account';

/** The checker's settings for a scan of `scanRegions` reporting to the `reports` bucket with `keyArn`. */
export function checkerSettings(keyArn: string, topicArn: string, scanRegions = [REGION]): CheckerSettings {
  return {
    policy: POLICY,
    reportBucket: 'reports',
    reportKmsKeyArn: keyArn,
    alertTopicArn: topicArn,
    concurrency: 4,
    imageScope: 'in-use',
    scanRegions,
  };
}

/** Every client the checker takes, real, against moto. */
export function checkerClients(cfg: MotoClientConfig): CheckerClients {
  return {
    sagemaker: new SageMakerClient(cfg),
    ecr: new ECRClient(cfg),
    kms: new KMSClient(cfg),
    s3: new S3Client(cfg),
    cloudwatch: new CloudWatchClient(cfg),
    sns: new SNSClient(cfg),
    config: new ConfigServiceClient(cfg),
    codepipeline: new CodePipelineClient(cfg),
    tagging: new ResourceGroupsTaggingAPIClient(cfg),
    iam: new IAMClient(cfg),
    events: new EventBridgeClient(cfg),
  };
}

export function sagemakerFixtures(sagemaker: SageMakerClient, tags: readonly Tag[]) {
  const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/sagemaker`;
  return {
    model: (name: string, image: string, extra: Partial<CreateModelInput> = {}) =>
      sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: role,
          PrimaryContainer: { Image: image },
          Tags: [...tags],
          ...extra,
        }),
      ),
    endpointConfig: (name: string, modelName: string, extra: Partial<CreateEndpointConfigInput> = {}) =>
      sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name,
          ProductionVariants: [
            { VariantName: 'main', ModelName: modelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
          ],
          Tags: [...tags],
          ...extra,
        }),
      ),
    endpoint: (name: string, configName: string, environment: string) =>
      sagemaker.send(
        new CreateEndpointCommand({
          EndpointName: name,
          EndpointConfigName: configName,
          Tags: [...tags, { Key: 'Environment', Value: environment }],
        }),
      ),
  };
}

/** An AWS Config change notification for one resource, as Config invokes a custom rule (TESTMODE token). */
export function configChangeEvent(resourceType: string, name: string, ruleId: string) {
  return {
    invokingEvent: JSON.stringify({
      messageType: 'ConfigurationItemChangeNotification',
      configurationItem: {
        resourceType,
        resourceId: name,
        resourceName: name,
        configurationItemStatus: 'OK',
        configurationItemCaptureTime: new Date().toISOString(),
      },
      notificationCreationTime: new Date().toISOString(),
    }),
    ruleParameters: JSON.stringify({ ruleId }),
    resultToken: 'TESTMODE',
    configRuleName: `mlops-${ruleId}`,
  };
}

/**
 * The capture scene of the scheduled-scan tests: the report key, bucket and topic, an untagged `inference-data`
 * bucket, and an endpoint config `capturing` that captures to it. Returns the key and topic the settings name.
 */
export async function captureScene(c: CheckerClients): Promise<{ keyArn: string; topicArn: string }> {
  const keyArn = (await c.kms.send(new CreateKeyCommand({ Description: 'mlops' }))).KeyMetadata?.Arn as string;
  const topicArn = (await c.sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn as string;
  for (const Bucket of ['reports', 'inference-data'])
    await c.s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  const sm = sagemakerFixtures(c.sagemaker, [
    { Key: 'Owner', Value: 'ml-platform' },
    { Key: 'DataClassification', Value: 'internal' },
  ]);
  await sm.model('m', `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/repo:1.0.0`);
  await sm.endpointConfig('capturing', 'm', {
    DataCaptureConfig: {
      EnableCapture: true,
      InitialSamplingPercentage: 10,
      DestinationS3Uri: 's3://inference-data/capture',
      CaptureOptions: [{ CaptureMode: 'Input' }],
    },
  });
  return { keyArn, topicArn };
}
