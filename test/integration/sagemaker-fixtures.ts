/** SageMaker resources the compliance checker's integration tests create in moto: one helper, both test files. */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateEndpointConfigInput,
  CreateModelCommand,
  CreateModelInput,
  SageMakerClient,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT } from './aws-env';

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
