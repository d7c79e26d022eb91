/**
 * ModelEndpoint used alone, as a consumer of the package would: in a stack of its own, with only the image and the
 * capacity, it makes its keys, alarm topic and capture bucket with secure defaults; `addDriftMonitor()` adds the
 * detector over its captured data. The MLOPS pack's policy needs only the allowed regions.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { join } from 'node:path';
import { testContext } from '../support/app';
import { POLICY } from '../support/policy-facts';
import { ModelEndpoint, ModelEndpointProps } from '../../lib/constructs/model-endpoint';
import { mlopsPolicy } from '../../lib/nag/mlops-checks';

const BASELINE = join(__dirname, '..', '..', 'baselines', 'fraud-xgb.json');
const FEATURES = [
  { name: 'amount', type: 'numeric' },
  { name: 'gender', type: 'categorical' },
] as const;

function stack(): Stack {
  return new Stack(new App({ context: testContext() }), 'S', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
}

function minimal(s: Stack, over: Partial<ModelEndpointProps> = {}): ModelEndpointProps {
  return {
    endpointName: 'ep',
    repository: ecr.Repository.fromRepositoryName(s, 'Repo', 'fraud'),
    imageTag: '1.0.0',
    instanceType: 'ml.m5.large',
    instanceCount: 2,
    ...over,
  };
}

describe('ModelEndpoint alone, with secure defaults', () => {
  test('makes a rotated storage key and a TLS-only topic encrypted with it, and grants no image key it was not given', () => {
    // GIVEN only the image and the capacity WHEN built
    const s = stack();
    const endpoint = new ModelEndpoint(s, 'E', minimal(s));
    // THEN
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    const [keyId] = Object.keys(t.findResources('AWS::KMS::Key'));
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    // Alarms reach the encrypted topic only if the key policy lets CloudWatch use the key.
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopic' })]),
      },
    });
    const policy = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy).not.toContain('DecryptModelImage');
    expect(endpoint.captureBucket).toBeUndefined();
  });

  test('with dataCapture { samplingPercent } makes a capture key and a capture bucket with the policy controls', () => {
    // GIVEN capture with only the sampling percentage WHEN built
    const s = stack();
    const endpoint = new ModelEndpoint(s, 'E', minimal(s, { dataCapture: { samplingPercent: 10 } }));
    // THEN a second key encrypts captured data, in a bucket that expires it within 30 days and tells EventBridge
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::KMS::Key', 2);
    const captureKey = s.resolve(endpoint.captureKey!.keyArn);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: Match.objectLike({ KmsKeyId: captureKey, InitialSamplingPercentage: 10 }),
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: captureKey } }),
        ],
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 29, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })],
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data-capture/' }),
      Tags: Match.arrayWith([{ Key: 'mlops:purpose', Value: 'data-capture' }]),
    });
    expect(endpoint.capturePrefix).toBe('datacapture/ep/');
  });

  test('uses the bucket, key and topic it is given, and makes none of them', () => {
    // GIVEN a consumer's own resources (from another stack) WHEN built
    const s = stack();
    const shared = new Stack(s.node.scope as App, 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } });
    new ModelEndpoint(
      s,
      'E',
      minimal(s, {
        storageKey: new kms.Key(shared, 'K'),
        alarmTopic: new sns.Topic(shared, 'T'),
        dataCapture: {
          samplingPercent: 5,
          bucket: new s3.Bucket(shared, 'B'),
          encryptionKey: new kms.Key(shared, 'C'),
        },
      }),
    );
    // THEN the endpoint's stack holds no key, bucket or topic of its own
    const t = Template.fromStack(s);
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::SNS::Topic']) t.resourceCountIs(type, 0);
  });

  test('rejects a capture retention under two days', () => {
    const s = stack();
    expect(
      () => new ModelEndpoint(s, 'E', minimal(s, { dataCapture: { samplingPercent: 5, retentionDays: 1 } })),
    ).toThrow(/^dataCapture\.retentionDays must be a whole number >= 2, got 1 \(at S\/E\)$/);
  });
});

describe('ModelEndpoint.addDriftMonitor()', () => {
  test("adds the detector over the endpoint's own capture prefix, alarming on the endpoint's topic", () => {
    // GIVEN an endpoint with capture WHEN a drift monitor is added
    const s = stack();
    const endpoint = new ModelEndpoint(s, 'E', minimal(s, { dataCapture: { samplingPercent: 10 } }));
    const monitor = endpoint.addDriftMonitor({
      baselineFile: BASELINE,
      features: FEATURES,
      sensitiveAttribute: 'gender',
    });
    // THEN it is the endpoint's child, subscribed to new files under datacapture/ep/ of the capture bucket
    expect(endpoint.driftMonitor).toBe(monitor);
    expect(monitor.node.path).toBe('S/E/DriftMonitor');
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          bucket: { name: [s.resolve(endpoint.captureBucket!.bucketName)] },
          object: { key: [{ prefix: 'datacapture/ep/' }] },
        },
      }),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [s.resolve(endpoint.alarmTopic.topicArn)],
      AlarmDescription: Match.stringLikeRegexp('disparate impact'),
    });
  });

  test('fails without data capture, and when called twice', () => {
    const s = stack();
    const bare = new ModelEndpoint(s, 'Bare', minimal(s));
    expect(() => bare.addDriftMonitor({ baselineFile: BASELINE, features: FEATURES })).toThrow(
      /^dataCapture is required by addDriftMonitor\(\)/,
    );
    const s2 = stack();
    const captured = new ModelEndpoint(s2, 'E', minimal(s2, { dataCapture: { samplingPercent: 10 } }));
    captured.addDriftMonitor({ baselineFile: BASELINE, features: FEATURES });
    expect(() => captured.addDriftMonitor({ baselineFile: BASELINE, features: FEATURES })).toThrow(/already called/);
  });
});

describe('mlopsPolicy(): the MLOPS pack needs only the allowed regions', () => {
  test('fills every other field with the config schema defaults, DataClassification always required', () => {
    // GIVEN the rule tests' policy: the schema defaults, but for the regions, VPC, production and accounts it sets
    const { knownAccounts: _setByRuleTests, ...schemaDefaults } = POLICY;
    // WHEN only the allowed regions are given THEN the rest are the defaults
    expect(mlopsPolicy({ allowedRegions: ['eu-west-1'] })).toEqual({
      ...schemaDefaults,
      allowedRegions: ['eu-west-1'],
      requireVpc: false,
      productionEnvironments: ['production'],
    });
  });

  test('keeps what it is given', () => {
    const policy = mlopsPolicy({
      allowedRegions: ['eu-central-1'],
      requiredTags: ['Team'],
      productionEnvironments: [],
    });
    expect(policy).toMatchObject({ requiredTags: ['Team', 'DataClassification'], productionEnvironments: [] });
  });
});
