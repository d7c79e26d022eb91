/** SageMaker responses -> facts: DescribeModel, DescribeEndpointConfig and DescribeEndpoint (each with its tags). */
import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
  Tag as SageMakerTag,
} from '@aws-sdk/client-sagemaker';
import { deploymentOf } from '../adapter-readings';
import { EndpointConfigFacts, EndpointFacts, ModelFacts, TAGS } from '../facts';
import { imageSourceOf } from '../image-uri';
import {
  accountOfArn,
  KeyLookup,
  keyRef,
  regionOfArn,
  required,
  tagsToRecord,
  UNKNOWN_KEYS,
  withOptional,
} from './readers';

/** DescribeModel + ListTags -> ModelFacts. */
export function modelFacts(model: DescribeModelOutput, tags?: readonly SageMakerTag[]): ModelFacts {
  const arn = required(model.ModelArn, 'ModelArn', 'DescribeModelOutput');
  const containers = [...(model.PrimaryContainer ? [model.PrimaryContainer] : []), ...(model.Containers ?? [])];
  const images = [...new Set(containers.map((c) => c.Image).filter((i): i is string => i !== undefined && i !== ''))];
  const vpc = model.VpcConfig
    ? {
        subnetIds: [...(model.VpcConfig.Subnets ?? [])],
        securityGroupIds: [...(model.VpcConfig.SecurityGroupIds ?? [])],
      }
    : undefined;
  return withOptional<ModelFacts>(
    {
      kind: 'Model',
      id: arn,
      // The API default is false: a model created without the flag runs without network isolation.
      networkIsolation: model.EnableNetworkIsolation ?? false,
      images,
      imageSources: images.map(imageSourceOf),
    },
    {
      name: model.ModelName,
      region: regionOfArn(arn),
      account: accountOfArn(arn),
      tags: tagsToRecord(tags),
      vpc: vpc && vpc.subnetIds.length > 0 ? vpc : undefined,
      executionRoleArn: model.ExecutionRoleArn,
    },
  );
}

/** DescribeEndpointConfig + ListTags (+ the KMS key lookup) -> EndpointConfigFacts. */
export function endpointConfigFacts(
  config: DescribeEndpointConfigOutput,
  tags?: readonly SageMakerTag[],
  keys: KeyLookup = UNKNOWN_KEYS,
): EndpointConfigFacts {
  const arn = required(config.EndpointConfigArn, 'EndpointConfigArn', 'DescribeEndpointConfigOutput');
  const dc = config.DataCaptureConfig;
  const modes = new Set((dc?.CaptureOptions ?? []).map((o) => o.CaptureMode));
  const dataCapture = dc
    ? withOptional(
        {
          // EnableCapture is optional in the API and defaults to true when a DataCaptureConfig is present.
          enabled: dc.EnableCapture ?? true,
          // Required by the API; if a response ever lacks it, it is unknown, never a guessed 0.
          samplingPercent: dc.InitialSamplingPercentage,
          captureInput: modes.has('Input') || modes.has('InputAndOutput'),
          captureOutput: modes.has('Output') || modes.has('InputAndOutput'),
        },
        { kmsKey: keyRef(dc.KmsKeyId, keys), destinationS3Uri: dc.DestinationS3Uri },
      )
    : undefined;
  const modelNames = [
    ...new Set(
      [...(config.ProductionVariants ?? []), ...(config.ShadowProductionVariants ?? [])]
        .map((v) => v.ModelName)
        .filter((n): n is string => n !== undefined && n !== ''),
    ),
  ];
  return withOptional<EndpointConfigFacts>(
    { kind: 'EndpointConfig', id: arn, modelNames },
    {
      name: config.EndpointConfigName,
      region: regionOfArn(arn),
      tags: tagsToRecord(tags),
      kmsKey: keyRef(config.KmsKeyId, keys),
      dataCapture,
    },
  );
}

/**
 * LastDeploymentConfig has the same shape as the template's DeploymentConfig, so both adapters map it with the one
 * function (`deploymentOf`): a rolling update is recorded as ROLLING by both, and the rule decides.
 */
function rolloutOf(endpoint: DescribeEndpointOutput): EndpointFacts['deployment'] {
  return deploymentOf(endpoint.LastDeploymentConfig);
}

/** DescribeEndpoint + ListTags -> EndpointFacts; `environment` comes from the Environment tag. */
export function endpointFacts(endpoint: DescribeEndpointOutput, tags?: readonly SageMakerTag[]): EndpointFacts {
  const arn = required(endpoint.EndpointArn, 'EndpointArn', 'DescribeEndpointOutput');
  const tagRecord = tagsToRecord(tags);
  return withOptional<EndpointFacts>(
    { kind: 'Endpoint', id: arn },
    {
      name: endpoint.EndpointName,
      region: regionOfArn(arn),
      tags: tagRecord,
      endpointConfigName: endpoint.EndpointConfigName,
      environment: tagRecord?.[TAGS.ENVIRONMENT],
      deployment: rolloutOf(endpoint),
    },
  );
}
