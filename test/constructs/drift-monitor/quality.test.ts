/**
 * The quality half of the DriftMonitor: ground-truth trigger and hourly clock, least-privilege IAM for the ground-truth
 * prefix and the ledgers, the detector's QUALITY environment, and the alarms (drop per metric with a reference,
 * outcome fairness, labels stopped) on the alarm topic.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { qualitySettings } from '../../../core/contracts/quality';
import { build } from '../../support/drift-monitor-fixture';

const QUALITY = qualitySettings({
  minGroupSize: 100,
  maxLabelDelayHours: 8760,
  reference: { accuracy: 0.9, falsePositiveRate: 0.05, rocAuc: 0.8, mae: 3 },
  tolerance: { accuracy: 0.02 },
  fairnessMax: { equalOpportunityDifference: 0.2 },
});

describe('DriftMonitor with monitoring.quality', () => {
  const { template, monitor } = build({ quality: QUALITY });

  const alarmOf = (logicalIdPart: string) => {
    const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.includes(logicalIdPart),
    );
    expect(found).toHaveLength(1);
    return found[0]![1].Properties as Record<string, unknown>;
  };

  it('triggers the detector on ground-truth files of this model and on an hourly schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ prefix: 'ground-truth/fraud-xgb/' }] } },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    expect(monitor.groundTruthUri).toMatch(/^s3:\/\/.+\/ground-truth\/fraud-xgb\/$/);
  });

  it('renders the resolved quality settings and the capture key into the environment', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!;
    const vars = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(JSON.parse(vars.QUALITY as string)).toEqual(QUALITY);
    expect(JSON.stringify(vars.LEDGER_KMS_KEY_ARN)).toContain('CaptureKey');
  });

  it('grants read of the ground-truth prefix, read/write of the ledger prefix and a prefix-bound listing only', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadGroundTruth',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', Match.arrayWith(['/ground-truth/fraud-xgb/*'])] },
          }),
          Match.objectLike({
            Sid: 'KeepPredictionLedgers',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: { 'Fn::Join': ['', Match.arrayWith(['/quality-ledger/fraud-xgb/*'])] },
          }),
          Match.objectLike({
            Sid: 'ListPredictionLedgers',
            Action: 's3:ListBucket',
            Condition: { StringLike: { 's3:prefix': ['quality-ledger/fraud-xgb/*'] } },
          }),
        ]),
      },
    });
  });

  it('alarms on a drop beyond tolerance for each metric with a reference (a rise for FPR), none for regression keys', () => {
    expect(Object.keys(monitor.qualityDropAlarms).sort()).toEqual(['accuracy', 'falsePositiveRate', 'rocAuc']);
    expect(alarmOf('QualityDropaccuracy')).toMatchObject({
      MetricName: 'Accuracy',
      Namespace: 'MLOps/Drift',
      Threshold: 0.9 - 0.02,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarmOf('QualityDropfalsePositiveRate')).toMatchObject({
      MetricName: 'FalsePositiveRate',
      Threshold: 0.05 + 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarmOf('QualityDroprocAuc')).toMatchObject({ MetricName: 'RocAuc', Threshold: 0.8 - 0.05 });
  });

  it('alarms on each outcome-fairness difference above its limit', () => {
    expect(alarmOf('OutcomeFairnessequalOpportunityDifference')).toMatchObject({
      MetricName: 'EqualOpportunityDifference',
      Threshold: 0.2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarmOf('OutcomeFairnessequalizedOddsDifference')).toMatchObject({ Threshold: 0.1 });
    expect(alarmOf('OutcomeFairnesspredictiveParityDifference')).toMatchObject({ Threshold: 0.1 });
  });

  it('alarms when no window was labelled for longer than maxLabelDelayHours, even 8760 h, in one hourly period', () => {
    expect(alarmOf('LabelsStopped')).toMatchObject({
      MetricName: 'HoursSinceLastLabelledWindow',
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 8760,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
    });
  });

  it('sends every quality alarm to the alarm topic', () => {
    const quality = [
      ...Object.values(monitor.qualityDropAlarms),
      ...Object.values(monitor.outcomeFairnessAlarms),
      monitor.labelsStoppedAlarm!,
    ];
    expect(quality).toHaveLength(7);
    for (const alarm of quality) expect(monitor.alarms).toContain(alarm);
    for (const id of ['QualityDrop', 'OutcomeFairness', 'LabelsStopped'])
      for (const [logicalId, alarm] of Object.entries(template.findResources('AWS::CloudWatch::Alarm')))
        if (logicalId.includes(id)) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('Alarms');
  });

  it('adds no quality resource without monitoring.quality', () => {
    const { template: plain, monitor: m } = build();
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/ground-truth|quality-ledger|HoursSinceLastLabelledWindow/);
    expect(m.labelsStoppedAlarm).toBeUndefined();
  });
});
