import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { testContext, SKIP_BUNDLING } from '../support/app';
import { ModelEndpoint, ModelEndpointProps } from '../../lib/constructs/model-endpoint';
import { ModelRepository, RegistryEnhancedScanning } from '../../lib/constructs/model-repository';
import { SecureBucket } from '../../lib/constructs/secure-bucket';

function stack(): Stack {
  return new Stack(new App({ context: testContext() }), 'S', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
}

describe('SecureBucket', () => {
  test('minimal props deploy a KMS, TLS-only, versioned, logged, retained bucket', () => {
    const s = stack();
    const key = new kms.Key(s, 'K');
    const logs = new SecureBucket(s, 'Logs', { purpose: 'access-logs' }).bucket;
    new SecureBucket(s, 'Data', { purpose: 'artifacts', encryptionKey: key, accessLogsBucket: logs });
    const t = Template.fromStack(s);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            }),
          ],
        },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'artifacts/' },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
    // the access-log bucket uses SSE-S3: S3 log delivery does not support SSE-KMS on the destination
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      Tags: [{ Key: 'mlops:purpose', Value: 'access-logs' }],
    });
  });

  test('rejects a data bucket without a KMS key or without access logging', () => {
    const s = stack();
    const logs = new SecureBucket(s, 'Logs', { purpose: 'access-logs' }).bucket;
    expect(() => new SecureBucket(s, 'NoKey', { purpose: 'data-capture', accessLogsBucket: logs })).toThrow(
      /encryptionKey is required for purpose "data-capture"/,
    );
    expect(() => new SecureBucket(s, 'NoLogs', { purpose: 'artifacts', encryptionKey: new kms.Key(s, 'K') })).toThrow(
      /accessLogsBucket is required/,
    );
  });

  test('fails with the fix when the app lacks the bucket-policy log delivery feature flag', () => {
    const s = new Stack(new App({ context: SKIP_BUNDLING }), 'S');
    expect(() => new SecureBucket(s, 'Logs', { purpose: 'access-logs' })).toThrow(
      /@aws-cdk\/aws-s3:serverAccessLogsUseBucketPolicy/,
    );
  });

  test('rejects a non-integer or zero expiry, naming the value', () => {
    const s = stack();
    expect(() => new SecureBucket(s, 'B', { purpose: 'access-logs', expirationDays: 0 })).toThrow(
      /expirationDays must be a whole number >= 1, got 0/,
    );
  });

  test('removal policy can be overridden for ephemeral environments', () => {
    const s = stack();
    new SecureBucket(s, 'B', { purpose: 'access-logs', removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(s).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });
});

describe('ModelRepository', () => {
  test('immutable tags, scan on push, KMS, lifecycle rules, retained', () => {
    const s = stack();
    new ModelRepository(s, 'R', { repositoryName: 'fraud', encryptionKey: new kms.Key(s, 'K') });
    const t = Template.fromStack(s);
    t.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
      }),
    });
    const policy = JSON.parse(
      Object.values(t.findResources('AWS::ECR::Repository'))[0]!.Properties.LifecyclePolicy.LifecyclePolicyText,
    );
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7 }),
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: expect.objectContaining({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 }),
      }),
    ]);
  });

  test('rejects a zero image count', () => {
    const s = stack();
    expect(
      () => new ModelRepository(s, 'R', { repositoryName: 'x', encryptionKey: new kms.Key(s, 'K'), maxImageCount: 0 }),
    ).toThrow(/maxImageCount must be a whole number >= 1, got 0/);
  });

  test('registry enhanced scanning is continuous by default', () => {
    const s = stack();
    new RegistryEnhancedScanning(s, 'Scan');
    Template.fromStack(s).hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'ENHANCED',
      Rules: [Match.objectLike({ ScanFrequency: 'CONTINUOUS_SCAN' })],
    });
  });
});

describe('ModelEndpoint', () => {
  function props(s: Stack, over: Partial<ModelEndpointProps> = {}): ModelEndpointProps {
    return {
      endpointName: 'ep',
      repository: ecr.Repository.fromRepositoryName(s, 'Repo', 'fraud'),
      repositoryKey: new kms.Key(s, 'ImgKey'),
      imageTag: '1.0.0',
      instanceType: 'ml.m5.large',
      instanceCount: 2,
      storageKey: new kms.Key(s, 'StoreKey'),
      rollout: {
        strategy: 'LINEAR',
        stepPercent: 25,
        waitSeconds: 120,
        terminationWaitSeconds: 60,
        maximumExecutionTimeoutSeconds: 1800,
      },
      thresholds: { latencyP99Ms: 250, errors5xxPerMinute: 3, error4xxRatePercent: 2 },
      alarmTopic: new sns.Topic(s, 'T'),
      ...over,
    };
  }

  test('LINEAR rollout with step size, wait and rollback alarms; network isolation on by default', () => {
    const s = stack();
    new ModelEndpoint(s, 'E', props(s));
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', {
      DeploymentConfig: {
        BlueGreenUpdatePolicy: Match.objectLike({
          TrafficRoutingConfiguration: {
            Type: 'LINEAR',
            WaitIntervalInSeconds: 120,
            LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
          },
        }),
        AutoRollbackConfiguration: { Alarms: Match.arrayWith([Match.objectLike({ AlarmName: Match.anyValue() })]) },
      },
    });
    t.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: true });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'ep-model-latency-p99', Threshold: 250_000 });
  });

  test('a VPC attaches the model to the given subnets and security groups', () => {
    const s = stack();
    new ModelEndpoint(
      s,
      'E',
      props(s, { vpc: { subnetIds: ['subnet-0abc12345'], securityGroupIds: ['sg-0abc12345'] } }),
    );
    Template.fromStack(s).hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: { Subnets: ['subnet-0abc12345'], SecurityGroupIds: ['sg-0abc12345'] },
    });
  });

  test('without a VPC, an info annotation says how to add one', () => {
    const s = stack();
    new ModelEndpoint(s, 'E', props(s));
    Annotations.fromStack(s).hasInfo('/S/E', Match.stringLikeRegexp('outside a VPC'));
  });

  test('capture writes are confined to the endpoint prefix and its own key', () => {
    const s = stack();
    const bucket = s3.Bucket.fromBucketName(s, 'Cap', 'capture-bucket');
    new ModelEndpoint(
      s,
      'E',
      props(s, {
        dataCapture: { bucket, prefix: 'datacapture/', encryptionKey: new kms.Key(s, 'CapKey'), samplingPercent: 5 },
      }),
    );
    const t = Template.fromStack(s);
    const doc = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(doc).toContain('capture-bucket/datacapture/ep/*');
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: Match.objectLike({
        InitialSamplingPercentage: 5,
        DestinationS3Uri: 's3://capture-bucket/datacapture',
      }),
    });
  });

  test('rejects out-of-range rollout steps and capture sampling, naming the value', () => {
    const s = stack();
    const base = props(s);
    expect(() => new ModelEndpoint(s, 'A', { ...base, rollout: { ...base.rollout, stepPercent: 80 } })).toThrow(
      /rollout.stepPercent must be between 1 and 50 for LINEAR, got 80/,
    );
    const s2 = stack();
    const bucket = s3.Bucket.fromBucketName(s2, 'Cap', 'bkt');
    expect(
      () =>
        new ModelEndpoint(
          s2,
          'B',
          props(s2, { dataCapture: { bucket, prefix: 'p', encryptionKey: new kms.Key(s2, 'CK'), samplingPercent: 0 } }),
        ),
    ).toThrow(/samplingPercent must be between 1 and 100, got 0/);
  });

  test('rejects an invalid endpoint name', () => {
    const s = stack();
    expect(() => new ModelEndpoint(s, 'E', props(s, { endpointName: 'bad_name!' }))).toThrow(
      /endpointName must be 1-63 alphanumerics/,
    );
  });

  test('grantInvoke lets a principal invoke this endpoint and nothing else', () => {
    // GIVEN an endpoint and a caller's role
    const s = stack();
    const endpoint = new ModelEndpoint(s, 'E', props(s));
    const caller = new iam.Role(s, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN invoke is granted
    const grant = endpoint.grantInvoke(caller);
    // THEN the role's policy allows sagemaker:InvokeEndpoint on the endpoint's ARN only
    expect(grant.success).toBe(true);
    const t = Template.fromStack(s);
    const endpointId = Object.keys(t.findResources('AWS::SageMaker::Endpoint'))[0];
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: { Ref: endpointId } }],
      },
    });
  });

  test('with auto scaling, deployments keep the scaled instance count and weight but take the new data capture', () => {
    // GIVEN auto scaling
    const s = stack();
    new ModelEndpoint(
      s,
      'E',
      props(s, { autoScaling: { minCapacity: 2, maxCapacity: 4, targetInvocationsPerInstance: 100 } }),
    );
    // THEN the endpoint retains the variant properties Application Auto Scaling owns, except data capture
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', {
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DataCaptureConfig' }],
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
  });

  test('without auto scaling, a deployment takes the instance count of the new config', () => {
    // GIVEN a fixed instance count
    const s = stack();
    new ModelEndpoint(s, 'E', props(s));
    // THEN nothing of the running variant is retained
    Template.fromStack(s).hasResourceProperties('AWS::SageMaker::Endpoint', {
      RetainAllVariantProperties: false,
      ExcludeRetainedVariantProperties: Match.absent(),
    });
  });

  test('without rollout and thresholds, deploys a 10% canary with the default rollback alarms', () => {
    // GIVEN props without rollout or thresholds
    const s = stack();
    const { rollout: _rollout, thresholds: _thresholds, ...minimal } = props(s);
    // WHEN built
    const endpoint = new ModelEndpoint(s, 'E', minimal);
    // THEN the safe defaults apply: a 10% canary baked 5 minutes, the old fleet kept 10, rollback on 3 alarms
    const deployment = s.resolve(endpoint.endpoint.deploymentConfig) as sagemaker.CfnEndpoint.DeploymentConfigProperty;
    expect(deployment.blueGreenUpdatePolicy).toEqual({
      trafficRoutingConfiguration: {
        type: 'CANARY',
        waitIntervalInSeconds: 300,
        canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
      },
      terminationWaitInSeconds: 600,
      maximumExecutionTimeoutInSeconds: 3600,
    });
    expect(deployment.autoRollbackConfiguration).toMatchObject({ alarms: { length: 3 } });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'ep-model-latency-p99', Threshold: 1_000_000 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'ep-5xx-errors', Threshold: 5 });
  });

  test('rejects a bad prop naming the construct path', () => {
    const s = stack();
    expect(() => new ModelEndpoint(s, 'E', props(s, { instanceCount: 0 }))).toThrow(
      /^instanceCount must be >= 1, got 0 \(at S\/E\)$/,
    );
  });
});
