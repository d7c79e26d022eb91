import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { addEmailSubscription } from '../../lib/constructs/dead-letter-queue';
import { buildTestApp, largeConfigDocument, newApp } from '../support/app';
import { snsDeadLetterStatement, snsKeyStatements } from '../support/sns-dead-letter';

// One synth-free build of the default config, shared by the fine-grained assertions below.
const built = buildTestApp(undefined, { policyPacks: false });
const staging = built.environments.find((s) => s.node.id === 'staging')!;
const production = built.environments.find((s) => s.node.id === 'production')!;
const platform = Template.fromStack(staging.platform);
const model = Template.fromStack(staging.modelStacks[0]!);

describe('PlatformStack', () => {
  test('customer-managed KMS keys with rotation, retained', () => {
    platform.resourceCountIs('AWS::KMS::Key', 4);
    platform.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const key of Object.values(platform.findResources('AWS::KMS::Key'))) {
      expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('every bucket: versioned, public access blocked, TLS-only policy, retained', () => {
    const buckets = platform.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(4);
    for (const b of Object.values(buckets)) {
      expect(b).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
      });
    }
    const policies = platform.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(4);
    for (const p of Object.values(policies)) {
      expect(JSON.stringify(p)).toContain('"aws:SecureTransport":"false"');
    }
  });

  test('capture bucket: SSE-KMS with the capture key, access logged, captured data expires within the retention period', () => {
    platform.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'mlops-staging-capture-111111111111-eu-west-1',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            BucketKeyEnabled: true,
          },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'data-capture/' },
      // 29 days current + 1 day noncurrent = the 30-day retention of the default policy
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            ExpirationInDays: 29,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            // No Prefix: the retention covers ground-truth/, the ledgers and the detector's state as well
            Prefix: Match.absent(),
          }),
          // The prediction ledgers of fraud-xgb: kept until its latest label is due (168 h + 1 day), no longer
          {
            Id: 'ledger-fraud-xgb',
            Status: 'Enabled',
            Prefix: 'quality-ledger/mlops-staging-fraud-xgb/',
            ExpirationInDays: 8,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          },
        ],
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      Tags: Match.arrayWith([
        { Key: 'DataClassification', Value: 'confidential' },
        { Key: 'mlops:purpose', Value: 'data-capture' },
      ]),
    });
  });

  test('model stack: outputs where the labels go (the ground-truth prefix of the capture bucket)', () => {
    model.hasOutput('GroundTruthUri', {
      Value: 's3://mlops-staging-capture-111111111111-eu-west-1/ground-truth/mlops-staging-fraud-xgb/',
    });
  });

  test('ECR repository: immutable tags, scan on push, KMS, lifecycle, retained', () => {
    platform.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        RepositoryName: 'fraud-xgb',
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
        LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('untagged') },
      }),
    });
    platform.resourceCountIs('AWS::ECR::RegistryScanningConfiguration', 0);
  });

  test('SNS alert topic encrypted with the data key', () => {
    platform.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'mlops-staging-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  test('production stacks have termination protection', () => {
    expect(production.platform.terminationProtection).toBe(true);
    expect(staging.platform.terminationProtection).toBe(false);
  });
});

describe('ModelEndpointStack', () => {
  test('model: network isolation on, least-privilege role, no VPC by default', () => {
    model.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      ModelName: Match.stringLikeRegexp('^mlops-staging-fraud-xgb-[0-9a-f]{8}$'),
      VpcConfig: Match.absent(),
    });
    const policy = JSON.stringify(model.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy).toContain('ecr:BatchGetImage');
    expect(policy).not.toMatch(/"Action":"[a-z0-9]+:\*"/);
  });

  test('endpoint config: storage KMS key, capture of input and output with its own key and the configured sampling', () => {
    model.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: Match.anyValue(),
      EndpointConfigName: Match.stringLikeRegexp('^mlops-staging-fraud-xgb-[0-9a-f]{8}$'),
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 10,
        KmsKeyId: Match.anyValue(),
        DestinationS3Uri: 's3://mlops-staging-capture-111111111111-eu-west-1/datacapture',
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
    });
  });

  test('endpoint: blue/green canary with termination wait, timeout and auto-rollback on its own alarms', () => {
    model.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'mlops-staging-fraud-xgb',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            WaitIntervalInSeconds: 300,
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          },
          TerminationWaitInSeconds: 600,
          MaximumExecutionTimeoutInSeconds: 3600,
        },
        AutoRollbackConfiguration: {
          Alarms: [
            { AlarmName: { Ref: Match.stringLikeRegexp('Errors5xxAlarm') } },
            { AlarmName: { Ref: Match.stringLikeRegexp('Errors4xxRateAlarm') } },
            { AlarmName: { Ref: Match.stringLikeRegexp('LatencyP99Alarm') } },
          ],
        },
      },
    });
  });

  test("rollback alarms are the endpoint's 5XX, 4XX-rate and latency alarms", () => {
    for (const name of [
      'mlops-staging-fraud-xgb-5xx-errors',
      'mlops-staging-fraud-xgb-4xx-rate',
      'mlops-staging-fraud-xgb-model-latency-p99',
    ]) {
      model.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: name, AlarmActions: [Match.anyValue()] });
    }
  });

  test('latency alarm threshold is in microseconds', () => {
    model.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'mlops-staging-fraud-xgb-model-latency-p99',
      MetricName: 'ModelLatency',
      ExtendedStatistic: 'p99',
      Threshold: 1_000_000, // 1000 ms default
      AlarmActions: [Match.anyValue()],
    });
  });

  test('target-tracking auto scaling on invocations per instance', () => {
    model.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 4,
      ResourceId: 'endpoint/mlops-staging-fraud-xgb/variant/AllTraffic',
    });
    model.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: 1000,
      }),
    });
  });

  test('dashboard and model card exist', () => {
    model.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    model.hasResourceProperties('AWS::SageMaker::ModelCard', {
      ModelCardName: 'mlops-staging-fraud-xgb-card',
      Content: Match.objectLike({
        AdditionalInformation: Match.objectLike({ CustomDetails: Match.objectLike({ sensitiveAttribute: 'gender' }) }),
      }),
    });
  });

  test('endpoint config name changes when its content changes (configs are immutable)', () => {
    // GIVEN the same config with a different sampling percent
    const doc = JSON.parse(JSON.stringify(built.config));
    doc.models[0].dataCapture.samplingPercent = 5;
    const other = buildTestApp(doc, { policyPacks: false });
    const name = (t: Template) =>
      Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0]!.Properties.EndpointConfigName;
    // THEN the names differ, and the same content gives the same name
    expect(name(Template.fromStack(other.environments[0]!.modelStacks[0]!))).not.toEqual(name(model));
    expect(
      name(Template.fromStack(buildTestApp(built.config, { policyPacks: false }).environments[0]!.modelStacks[0]!)),
    ).toEqual(name(model));
  });
});

describe('larger config', () => {
  const large = buildTestApp(largeConfigDocument(), { policyPacks: false });
  const prod = large.environments.find((e) => e.node.id === 'production')!;

  test('model data: the role reads exactly the configured object in the environment artifacts bucket', () => {
    const stack = prod.modelStacks.find((s) => s.node.id === 'Model-credit-scoring')!;
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({
        ModelDataUrl:
          's3://credit-risk-production-artifacts-444444444444-eu-central-1/models/credit-scoring/2.3.1/model.tar.gz',
      }),
      VpcConfig: { Subnets: Match.arrayWith(['subnet-0aa11bb22cc33dd44']), SecurityGroupIds: Match.anyValue() },
    });
    const policy = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy).toContain(
      'credit-risk-production-artifacts-444444444444-eu-central-1/models/credit-scoring/2.3.1/model.tar.gz',
    );
  });

  test('alert e-mails that cannot be delivered go to an encrypted dead-letter queue SNS may write to', () => {
    const t = Template.fromStack(prod.platform);
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-oncall@example.com',
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertEmailDeadLetterQueue'), 'Arn'] },
      },
    });
    // The queue is encrypted with the data key, so SNS needs that key (AWS: an encrypted SNS dead-letter queue needs
    // a customer-managed key whose policy lets sns.amazonaws.com use it): only for the alert topic, in this account.
    const [queue] = Object.entries(t.findResources('AWS::SQS::Queue')).filter(([id]) =>
      id.startsWith('AlertEmailDeadLetterQueue'),
    );
    expect(JSON.stringify(queue![1].Properties)).toMatch(
      /"KmsMasterKeyId":\{"Fn::GetAtt":\["DataKey[0-9A-F]+","Arn"\]\}/,
    );
    const [keyId] = Object.keys(t.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('DataKey'));
    expect(snsKeyStatements(t, keyId!)).toEqual([
      snsDeadLetterStatement(
        'AlertEmailDeadLetterQueue',
        'arn:aws:sns:eu-central-1:444444444444:credit-risk-production-alerts',
      ),
    ]);
    t.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', { ScanType: 'ENHANCED' });
  });

  test('rejects an e-mail subscription on a topic whose name is a token, naming the fix', () => {
    const stack = new Stack(newApp(), 'S');
    const topic = new sns.Topic(stack, 'T');
    expect(() =>
      addEmailSubscription(stack, 'Dlq', {
        topic,
        topicName: topic.topicName,
        email: 'a@example.com',
        encryptionKey: new kms.Key(stack, 'K'),
        usedBy: 'a test subscription',
      }),
    ).toThrow(/topicName.*must be the topic's literal name \(create the topic with an explicit topicName\)/s);
  });

  test('the Model Monitor switch adds a data-quality schedule beside our own detector', () => {
    const t = Template.fromStack(prod.modelStacks.find((s) => s.node.id === 'Model-fraud-detect')!);
    t.resourceCountIs('AWS::SageMaker::DataQualityJobDefinition', 1);
    t.resourceCountIs('AWS::SageMaker::MonitoringSchedule', 1);
    const other = Template.fromStack(prod.modelStacks.find((s) => s.node.id === 'Model-churn-propensity')!);
    other.resourceCountIs('AWS::SageMaker::MonitoringSchedule', 0);
  });

  test('the Model Monitor schedule is created only after its endpoint (DependsOn the endpoint)', () => {
    // GIVEN the production fraud-detect stack with the Model Monitor switch on
    const t = Template.fromStack(prod.modelStacks.find((s) => s.node.id === 'Model-fraud-detect')!);
    // WHEN reading the schedule and the endpoint it names
    const [endpointId] = Object.keys(t.findResources('AWS::SageMaker::Endpoint'));
    const schedules = Object.values(t.findResources('AWS::SageMaker::MonitoringSchedule'));
    // THEN CloudFormation must create the endpoint first
    expect(endpointId).toBeDefined();
    expect(schedules).toHaveLength(1);
    expect(schedules[0]!.DependsOn).toContain(endpointId);
  });

  test('reordering the models replaces no repository: ECR repositories are keyed by name', () => {
    // GIVEN the same config with its models in reverse order (four models over several repositories)
    const doc = largeConfigDocument() as { models: unknown[] };
    const reordered = buildTestApp({ ...doc, models: [...doc.models].reverse() }, { policyPacks: false });
    const platformOf = (b: typeof large) => b.environments.find((e) => e.node.id === 'production')!.platform;
    const repositories = (b: typeof large) => Template.fromStack(platformOf(b)).findResources('AWS::ECR::Repository');
    // THEN every repository keeps its logical id and its definition
    expect(Object.keys(repositories(large)).length).toBeGreaterThan(1);
    expect(repositories(reordered)).toEqual(repositories(large));
  });

  test('LINEAR rollout in production', () => {
    const t = Template.fromStack(prod.modelStacks.find((s) => s.node.id === 'Model-fraud-detect')!);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', {
      DeploymentConfig: Match.objectLike({
        BlueGreenUpdatePolicy: Match.objectLike({
          TrafficRoutingConfiguration: Match.objectLike({
            Type: 'LINEAR',
            LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
          }),
        }),
      }),
    });
  });
});

describe('drift monitoring in the model stack', () => {
  test("the drift detector subscribes to this endpoint's capture prefix and its alarms go to the dashboard", () => {
    model.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: ['mlops-staging-capture-111111111111-eu-west-1'] },
          object: { key: [{ prefix: 'datacapture/mlops-staging-fraud-xgb/' }] },
        },
      },
    });
    model.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    const dashboard = JSON.stringify(model.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('MaxFeaturePSI');
    expect(dashboard).toContain('DisparateImpactRatio');
  });
});

describe('compliance checker in the platform stack', () => {
  test('deployed in every environment; AWS Config rules only where configRules is on', () => {
    const large = buildTestApp(largeConfigDocument(), { policyPacks: false });
    const staging = Template.fromStack(large.environments.find((e) => e.node.id === 'staging')!.platform);
    const production = Template.fromStack(large.environments.find((e) => e.node.id === 'production')!.platform);
    for (const t of [staging, production])
      t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    staging.resourceCountIs('AWS::Config::ConfigRule', 0);
    expect(Object.keys(production.findResources('AWS::Config::ConfigRule')).length).toBeGreaterThan(5);
  });
});
