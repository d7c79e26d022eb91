import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { SKIP_BUNDLING } from '../../support/app';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CfnResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DRIFT_NAMESPACE } from '../../../lib/constructs/drift-monitor';
import { FEATURES, MODEL_MONITOR_BASELINE, THRESHOLDS, build } from '../../support/drift-monitor-fixture';

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
    // EMF: metrics travel in the log group, so the detector may not call CloudWatch at all.
    expect(JSON.stringify(statements)).not.toMatch(/cloudwatch:/);
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
    for (const feature of FEATURES.map((f) => f.name)) {
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
    const { template: t } = build({ sensitiveAttribute: undefined });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5 + 1); // + the dead-letter queue alarm
    expect(JSON.stringify(t.toJSON())).not.toMatch(/DisparateImpactRatio/);
  });

  it('creates a Model Monitor data-quality schedule with KMS and network isolation when switched on', () => {
    const { template: t } = build({ modelMonitor: { baseline: MODEL_MONITOR_BASELINE } });
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
    const { stack } = build({ modelMonitor: { baseline: MODEL_MONITOR_BASELINE } });
    // THEN synth says so, naming the prop to set
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('does not depend on it; pass the endpoint'));
  });

  it('wires the fairness group size, the window age and the state store from the config', () => {
    // GIVEN thresholds with a smaller fairness group and a longer window
    const { template: t } = build({
      thresholds: { ...THRESHOLDS, minGroupSize: 30, windowMaxAgeHours: 48 },
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
      /statePrefix must be .* apart from capturePrefix "datacapture\/fraud-xgb\/" .*, got "datacapture\/fraud-xgb\/state\/" \(at Model\/Drift\)/,
    );
  });

  it('rejects a Model Monitor baseline that is not an s3:// URI, naming the field and the construct', () => {
    // GIVEN a statistics location given as a local path
    // WHEN built THEN the error names the field, the value and where
    expect(() =>
      build({
        modelMonitor: { baseline: { ...MODEL_MONITOR_BASELINE, statisticsS3Uri: 'baselines/statistics.json' } },
      }),
    ).toThrow(
      /baseline\.statisticsS3Uri must be an s3:\/\/bucket\/key URI, got "baselines\/statistics\.json" \(at Model\/Drift\//,
    );
  });

  it('rejects a sensitive attribute that is not a feature', () => {
    expect(() => build({ sensitiveAttribute: 'age' })).toThrow(
      /sensitiveAttribute must be one of features \[amount, merchant_category, account_age_days, gender\], got "age"/,
    );
  });

  it("ships the baseline file without reading it: checking it against the features is the config loader's job", () => {
    // GIVEN a file that is no drift baseline at all (the loader rejects it at models[i].monitoring.baselineFile)
    // WHEN the construct is built with it
    const { template: t } = build({ baselineFile: join(__dirname, '../../../package.json') });
    // THEN it synthesizes: the construct only uploads the file as an asset
    t.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('rejects a capture prefix with a leading slash', () => {
    expect(() => build({ capturePrefix: '/datacapture/' })).toThrow(/capturePrefix must be .* got "\/datacapture\/"/);
  });

  describe('ids keyed by name, not by list position', () => {
    const alarmsByLogicalId = (t: Template) =>
      Object.fromEntries(
        Object.entries(t.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [id, JSON.stringify(r)]),
      );

    it('reordering the features replaces no resource: same logical ids, same alarm definitions', () => {
      // GIVEN the same features in another order (Model Monitor on, so its alarms are covered too)
      const on = { modelMonitor: { baseline: MODEL_MONITOR_BASELINE } };
      const before = build(on).template;
      const after = build({ ...on, features: [...FEATURES].reverse() }).template;
      // THEN every resource keeps its logical id and type
      const ids = (t: Template) =>
        Object.fromEntries(
          Object.entries(t.toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => [id, r.Type]),
        );
      expect(ids(after)).toEqual(ids(before));
      // AND every alarm is defined exactly as before under its id
      expect(alarmsByLogicalId(after)).toEqual(alarmsByLogicalId(before));
      // AND the per-feature alarms are named after their feature
      expect(Object.keys(alarmsByLogicalId(before))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^DriftFeatureDriftmerchantcategory/),
          expect.stringMatching(/^DriftMonitoringScheduleFeatureDriftmerchantcategory/),
        ]),
      );
    });

    it('keeps the Model Monitor schedule at the logical id it had as a direct child of DriftMonitor', () => {
      // GIVEN Model Monitor on (the schedule has a physical name: a new logical id would fail the deploy)
      const { template: t } = build({ modelMonitor: { baseline: MODEL_MONITOR_BASELINE } });
      // WHEN the id of a resource at the old path Drift/MonitoringSchedule is computed in a bare stack
      const probe = new Stack(new App({ context: SKIP_BUNDLING }), 'Model');
      const old = new CfnResource(new Construct(probe, 'Drift'), 'MonitoringSchedule', { type: 'Probe' });
      // THEN the schedule has that id
      expect(Object.keys(t.findResources('AWS::SageMaker::MonitoringSchedule'))).toEqual([probe.getLogicalId(old)]);
    });

    it('creates no Model Monitor resources unless it is configured', () => {
      template.resourceCountIs('AWS::SageMaker::MonitoringSchedule', 0);
      template.resourceCountIs('AWS::SageMaker::DataQualityJobDefinition', 0);
    });
  });
});
