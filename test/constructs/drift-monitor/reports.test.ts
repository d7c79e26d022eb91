/** DriftMonitor's `reports` option: what the detector may write, where, and how the alarms name the report. */
import { join } from 'node:path';
import { SKIP_BUNDLING } from '../../support/app';
import { App, Stack, aws_kms as kms, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DriftMonitor, DriftReportsOptions } from '../../../lib/constructs/drift-monitor';
import { DRIFT_REPORT_ENV, parseThresholds } from '../../../core/contracts/drift-report';
import { FRAUD_FEATURES } from '../../../scripts/make-example-data';

const THRESHOLDS = { psi: 0.25, disparateImpactMin: 0.75 };
const REPORTS_BUCKET = 'mlops-staging-reports-111111111111-eu-west-1';

function build(reports?: Partial<DriftReportsOptions>) {
  const app = new App({ context: SKIP_BUNDLING });
  const stack = new Stack(app, 'Model', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new DriftMonitor(stack, 'Drift', {
    endpointName: 'fraud-xgb',
    variantName: 'AllTraffic',
    captureBucket: s3.Bucket.fromBucketName(stack, 'Capture', 'capture-bucket'),
    captureKey: key,
    capturePrefix: 'datacapture/fraud-xgb/',
    baselineFile: join(__dirname, '../../../baselines/fraud-xgb.json'),
    features: FRAUD_FEATURES,
    sensitiveAttribute: 'gender',
    thresholds: THRESHOLDS,
    alarmTopic: new sns.Topic(stack, 'Alarms'),
    encryptionKey: key,
    ...(reports
      ? {
          reports: {
            bucket: s3.Bucket.fromBucketName(stack, 'Reports', REPORTS_BUCKET),
            encryptionKey: key,
            ...reports,
          },
        }
      : {}),
  });
  return Template.fromStack(stack);
}

const variables = (t: Template) =>
  Object.values(t.findResources('AWS::Lambda::Function'))[0]?.Properties.Environment.Variables as Record<
    string,
    unknown
  >;

describe('DriftMonitor reports', () => {
  const template = build({});

  it("tells the detector the bucket, its endpoint's prefix, the key and the config's thresholds", () => {
    const env = variables(template);
    expect(env).toMatchObject({
      [DRIFT_REPORT_ENV.BUCKET]: REPORTS_BUCKET,
      [DRIFT_REPORT_ENV.PREFIX]: 'drift-reports/fraud-xgb/',
      [DRIFT_REPORT_ENV.ALL_WINDOWS]: 'false',
    });
    expect(env[DRIFT_REPORT_ENV.KMS_KEY_ARN]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    expect(parseThresholds(env[DRIFT_REPORT_ENV.THRESHOLDS] as string, 'env')).toEqual({
      psi: 0.25,
      ks: 0.2,
      jsDistance: 0.1,
      predictionPsi: 0.2,
      disparateImpactMin: 0.75,
      parityDifferenceMax: 0.1,
      minSamples: 200,
    });
    expect(variables(build({ allWindows: true }))[DRIFT_REPORT_ENV.ALL_WINDOWS]).toBe('true');
  });

  it("lets the detector write only under its endpoint's report prefix, and use the key only through S3", () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'WriteDriftReports',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REPORTS_BUCKET}/drift-reports/fraud-xgb/*`],
              ],
            },
          },
          {
            Sid: 'EncryptDriftReportsThroughS3',
            Effect: 'Allow',
            Action: 'kms:GenerateDataKey',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  it('names the latest report in every alarm description, so the notification says where it is', () => {
    const where = `s3://${REPORTS_BUCKET}/drift-reports/fraud-xgb/AllTraffic/latest.html`;
    // Every drift and fairness alarm; the dead-letter queue's alarm is about events, not windows.
    const alarms = Object.entries({
      ...template.findResources('AWS::CloudWatch::Alarm'),
      ...template.findResources('AWS::CloudWatch::CompositeAlarm'),
    })
      .filter(([id]) => !id.includes('DeadLetterQueue'))
      .map(([, a]) => a);
    expect(alarms.length).toBeGreaterThanOrEqual(8);
    for (const a of alarms) {
      const description = a.Properties.AlarmDescription as string;
      expect(description).toContain(where);
      expect(description.length).toBeLessThanOrEqual(1024); // CloudWatch's limit
    }
  });

  it('adds nothing when reports are not configured', () => {
    const plain = build();
    expect(Object.keys(variables(plain)).filter((k) => k.startsWith('REPORT') || k === 'DRIFT_THRESHOLDS')).toEqual([]);
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/drift-reports|WriteDriftReports/);
  });
});
