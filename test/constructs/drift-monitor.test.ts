import { join } from 'node:path';
import { App, Stack, aws_kms as kms, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { MonitoringConfig, MonitoringSchema } from '../../lib/config/schema';
import { DRIFT_NAMESPACE, DriftMonitor, DriftMonitorProps } from '../../lib/constructs/drift-monitor';

const BASELINE = join(__dirname, '../../baselines/fraud-xgb.json');
const monitoring: MonitoringConfig = MonitoringSchema.parse({
  features: [
    { name: 'amount', type: 'numeric' },
    { name: 'merchant_category', type: 'categorical' },
    { name: 'account_age_days', type: 'numeric' },
    { name: 'gender', type: 'categorical' },
  ],
  sensitiveAttribute: 'gender',
  thresholds: { psi: 0.25, predictionPsi: 0.3, disparateImpactMin: 0.75, parityDifferenceMax: 0.15 },
});

/** Capture bucket, its key and the topic live in a platform stack; the monitor in a model stack, as in the app. */
function build(patch: Partial<DriftMonitorProps> = {}) {
  const app = new App();
  const env = { account: '111111111111', region: 'eu-west-1' };
  const platform = new Stack(app, 'Platform', { env });
  const captureKey = new kms.Key(platform, 'CaptureKey', { enableKeyRotation: true });
  const captureBucket = new s3.Bucket(platform, 'Capture', { encryptionKey: captureKey, eventBridgeEnabled: true });
  const alarmTopic = new sns.Topic(platform, 'Alarms');
  const stack = new Stack(app, 'Model', { env });
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const monitor = new DriftMonitor(stack, 'Drift', {
    endpointName: 'fraud-xgb',
    variantName: 'AllTraffic',
    captureBucket,
    captureKey,
    capturePrefix: 'datacapture/fraud-xgb/',
    baselineFile: BASELINE,
    monitoring,
    alarmTopic,
    encryptionKey,
    ...patch,
  });
  return { stack, monitor, template: Template.fromStack(stack) };
}

describe('DriftMonitor', () => {
  const { template, monitor } = build();

  it('runs the detector on Node.js 24 / arm64 with reserved concurrency, tracing, KMS env and a DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 5,
      TracingConfig: { Mode: 'Active' },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') } },
      Environment: {
        Variables: Match.objectLike({
          FEATURES: 'amount:numeric,merchant_category:categorical,account_age_days:numeric,gender:categorical',
          SENSITIVE_ATTRIBUTE: 'gender',
          POSITIVE_LABEL: '1',
          MIN_SAMPLES: '200',
          ENDPOINT_NAME: 'fraud-xgb',
          VARIANT_NAME: 'AllTraffic',
          BASELINE_KEY: Match.stringLikeRegexp('\\.json$'),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  it('encrypts the log group and the dead-letter queue with the key, with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  it('lets CloudWatch Logs and EventBridge use a same-stack key through its key policy', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsEncryption',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          }),
          Match.objectLike({
            Sid: 'AllowEventBridgeDeadLetterQueue',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });

  it('matches S3 Object Created events of the capture prefix and retries twice into the DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ 'Fn::ImportValue': Match.stringLikeRegexp('Capture') }] },
          object: { key: [{ prefix: 'datacapture/fraud-xgb/' }] },
        },
      },
      Targets: [
        Match.objectLike({
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('grants exactly the listed statements, in one customer-managed policy, and nothing AWS-managed', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = (
      Object.values(policies)[0] as {
        Properties: {
          PolicyDocument: { Statement: { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[] };
        };
      }
    ).Properties.PolicyDocument.Statement;
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['ReadCaptureFiles', 's3:GetObject'],
      ['DecryptCaptureFilesThroughS3', 'kms:Decrypt'],
      ['ReadBaseline', 's3:GetObject'],
      ['PublishDriftMetrics', 'cloudwatch:PutMetricData'],
      ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
      ['UseEncryptionKey', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['SendToDeadLetterQueue', 'sqs:SendMessage'],
      ['KeepDetectorState', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']],
      ['EncryptDetectorStateThroughS3', 'kms:GenerateDataKey'],
      ['WriteTraces', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']],
    ]);
    const stack = Stack.of(monitor);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(stack.resolve(bySid.ReadCaptureFiles!.Resource)).toEqual({
      'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringMatching(/Capture/) }, '/datacapture/fraud-xgb/*']],
    });
    expect(bySid.PublishDriftMetrics).toMatchObject({
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': DRIFT_NAMESPACE } },
    });
    expect(bySid.DecryptCaptureFilesThroughS3).toMatchObject({
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(JSON.stringify(bySid.ReadBaseline!.Resource)).toMatch(
      /:s3:::cdk-[a-z0-9]+-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.json/,
    );
    // No wildcard actions anywhere, no inline DefaultPolicy, no managed policy ARNs on the role.
    expect(JSON.stringify(statements.map((s) => s.Action))).not.toMatch(/\*/);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
    });
  });

  it('alarms per feature on PSI, on prediction PSI and on fairness with the configured thresholds', () => {
    for (const feature of monitoring.features.map((f) => f.name)) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: DRIFT_NAMESPACE,
        MetricName: 'FeaturePSI',
        Dimensions: Match.arrayWith([{ Name: 'Feature', Value: feature }]),
        Threshold: 0.25,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('Alarms') }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'PredictionPSI',
      Threshold: 0.3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DisparateImpactRatio',
      Threshold: 0.75,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DemographicParityDifference',
      Threshold: 0.15,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // 4 features + prediction + 2 fairness, plus the dead-letter queue alarm
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4 + 1 + 2 + 1);
    expect(monitor.alarms).toHaveLength(8);
  });

  it('has a composite "model drifted" alarm over the feature and prediction alarms', () => {
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    const rule = JSON.stringify((composite[0] as { Properties: { AlarmRule: unknown } }).Properties.AlarmRule);
    expect(rule.match(/ALARM\(/g)).toHaveLength(5);
    expect(rule).toMatch(/\) OR ALARM\(/);
    expect(rule).toMatch(/PredictionDrift/);
    expect(rule).not.toMatch(/DisparateImpact/);
  });

  it('offers drift and fairness widgets for the dashboard', () => {
    const widgets = monitor.widgets();
    expect(widgets.length).toBeGreaterThanOrEqual(5);
    const json = JSON.stringify(Stack.of(monitor).resolve(widgets.map((w) => w.toJson())));
    expect(json).toMatch(/FeaturePSI/);
    expect(json).toMatch(/DisparateImpactRatio/);
  });

  it('creates no fairness alarms without a sensitive attribute', () => {
    const { template: t } = build({ monitoring: { ...monitoring, sensitiveAttribute: undefined } });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5 + 1); // + the dead-letter queue alarm
    expect(JSON.stringify(t.toJSON())).not.toMatch(/DisparateImpactRatio/);
  });

  it('creates a Model Monitor data-quality schedule with KMS and network isolation when switched on', () => {
    const { template: t } = build({
      modelMonitor: true,
      modelMonitorBaseline: {
        statisticsS3Uri: 's3://mm/base/statistics.json',
        constraintsS3Uri: 's3://mm/base/constraints.json',
      },
    });
    t.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      NetworkConfig: { EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true },
      DataQualityJobOutputConfig: Match.objectLike({ KmsKeyId: Match.anyValue() }),
      JobResources: { ClusterConfig: Match.objectLike({ VolumeKmsKeyId: Match.anyValue(), InstanceCount: 1 }) },
      DataQualityJobInput: { EndpointInput: Match.objectLike({ EndpointName: 'fraud-xgb' }) },
    });
    t.hasResourceProperties('AWS::SageMaker::MonitoringSchedule', {
      EndpointName: 'fraud-xgb',
      MonitoringScheduleConfig: Match.objectLike({ MonitoringType: 'DataQuality' }),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'aws/sagemaker/Endpoints/data-metrics',
      MetricName: 'feature_baseline_drift_amount',
    });
  });

  it('warns when the Model Monitor schedule has no endpoint to depend on', () => {
    // GIVEN the switch on but no endpoint resource passed
    const { stack } = build({
      modelMonitor: true,
      modelMonitorBaseline: { statisticsS3Uri: 's3://mm/s.json', constraintsS3Uri: 's3://mm/c.json' },
    });
    // THEN synth says so, naming the prop to set
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('does not depend on it; pass the endpoint'));
  });

  it('wires the fairness group size, the window age and the state store from the config', () => {
    // GIVEN thresholds with a smaller fairness group and a longer window
    const { template: t } = build({
      monitoring: { ...monitoring, thresholds: { ...monitoring.thresholds, minGroupSize: 30, windowMaxAgeHours: 48 } },
    });
    // THEN the detector gets them, and may read/write only its own state prefix, encrypting through S3
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MIN_GROUP_SIZE: '30',
          WINDOW_MAX_AGE_HOURS: '48',
          STATE_PREFIX: 'drift-state/',
          STATE_BUCKET: Match.anyValue(),
        }),
      },
    });
    const statements = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(statements).toMatch(/"Sid":"KeepDetectorState"/);
    expect(statements).toMatch(/drift-state\/fraud-xgb\/\*/);
    expect(statements).toMatch(/"Sid":"EncryptDetectorStateThroughS3"/);
  });

  it('rejects a state prefix that overlaps the capture prefix', () => {
    expect(() => build({ statePrefix: 'datacapture/fraud-xgb/state/' })).toThrow(
      /statePrefix must be .* apart from capturePrefix "datacapture\/fraud-xgb\/", got "datacapture\/fraud-xgb\/state\/"/,
    );
  });

  it('rejects modelMonitor without its baseline', () => {
    expect(() => build({ modelMonitor: true })).toThrow(/modelMonitorBaseline is not set/);
  });

  it('rejects a baseline built for other features, naming the feature', () => {
    expect(() =>
      build({ monitoring: { ...monitoring, features: [...monitoring.features, { name: 'income', type: 'numeric' }] } }),
    ).toThrow(/"income" \(numeric\) is missing from baselineFile/);
  });

  it('rejects a missing baseline file with the command to build it', () => {
    expect(() => build({ baselineFile: '/nope/b.json' })).toThrow(/does not exist; build it with `npm run baseline/);
  });

  it('rejects a capture prefix with a leading slash', () => {
    expect(() => build({ capturePrefix: '/datacapture/' })).toThrow(/capturePrefix must be .* got "\/datacapture\/"/);
  });
});
