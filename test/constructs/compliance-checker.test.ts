import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ComplianceChecker, configRuleCandidates } from '../../lib/constructs/compliance-checker';
import { compliancePolicy, parseConfig } from '../../lib/config/loader';
import { defaultConfigDocument, testContext } from '../support/app';

function build(configRules: boolean, scanRegions?: readonly string[]) {
  const stack = new Stack(new App({ context: testContext() }), 'S', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  const key = new kms.Key(stack, 'Key');
  const policy = compliancePolicy(parseConfig(defaultConfigDocument()));
  const checker = new ComplianceChecker(stack, 'Checker', {
    policy,
    reportBucket: s3.Bucket.fromBucketName(stack, 'Reports', 'reports-bucket'),
    encryptionKey: key,
    alertTopic: new sns.Topic(stack, 'Topic'),
    configRules,
    ...(scanRegions ? { scanRegions } : {}),
  });
  return { checker, policy, t: Template.fromStack(stack) };
}

describe('ComplianceChecker', () => {
  test('alarms on open violations and on an incomplete scan notify the alert topic', () => {
    // GIVEN the checker
    const { t } = build(false);
    // WHEN synthesized
    // THEN two alarms on its own metrics, both with the topic as alarm and OK action
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'MLOps/Compliance',
      MetricName: 'OpenViolations',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'errors + notEvaluated' })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
  });

  test('scans the configured regions and reads bucket configuration, never objects, on every bucket', () => {
    // GIVEN two scan regions
    const { t } = build(false, ['eu-west-1', 'us-east-1']);
    // WHEN synthesized
    // THEN the function gets both, the describe statement names both, and bucket reads are configuration only
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SCAN_REGIONS: 'eu-west-1,us-east-1' }) },
    });
    const doc = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(doc).toContain(':sagemaker:us-east-1:111111111111:endpoint/*');
    expect(doc).toContain(':sagemaker:eu-west-1:111111111111:endpoint/*');
    expect(doc).toContain('s3:GetBucketPolicy');
    expect(doc).not.toMatch(/s3:GetObject[^"]*"[^\]]*s3:::\*/);
  });

  test('a Node.js 22+ arm64 function with the policy in its environment, tracing and reserved concurrency', () => {
    const { t, policy } = build(false);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9][0-9])\\.x$'),
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 2,
      KmsKeyArn: Match.anyValue(),
      Environment: {
        Variables: Match.objectLike({ POLICY_JSON: JSON.stringify(policy), REPORT_BUCKET: 'reports-bucket' }),
      },
    });
  });

  test('runs every 6 hours, and undeliverable schedule events land in an encrypted, alarmed dead-letter queue', () => {
    const { t } = build(false);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 1209600 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
    t.resourceCountIs('AWS::Config::ConfigRule', 0);
  });

  test('least privilege: explicit actions only, writes limited to the reports prefix, metrics pinned to a namespace', () => {
    const { t } = build(false);
    const statements = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    for (const s of statements) {
      for (const action of [s.Action].flat()) expect(action).not.toMatch(/(^\*$|:\*$)/);
    }
    const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(put.Resource)).toContain('reports-bucket/reports/*');
    const metrics = statements.find((s) => [s.Action].flat().includes('cloudwatch:PutMetricData'));
    expect(metrics.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'MLOps/Compliance' } });
    t.resourceCountIs('AWS::IAM::Policy', 0); // no inline DefaultPolicy
  });

  test('reads IAM roles and the account’s own policies only, read-only, never AWS-managed ones or other accounts’', () => {
    // GIVEN the checker
    const { t } = build(false);
    // WHEN synthesized
    const statements = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const iamStatements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('iam:')));
    // THEN the IAM actions are exactly the reads the IAM reader makes, each on this account's roles or policies
    expect(iamStatements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
    ]);
    const resources = iamStatements.map((s) => JSON.stringify(s.Resource));
    expect(resources).toEqual([
      expect.stringContaining(':iam::111111111111:role/*'),
      expect.stringContaining(':iam::111111111111:policy/*'),
    ]);
  });

  test('with configRules, one AWS Config custom rule per run-time rule on SageMaker or ECR resources', () => {
    const { t } = build(true);
    const candidates = configRuleCandidates();
    expect(candidates.length).toBeGreaterThan(5);
    t.resourceCountIs('AWS::Config::ConfigRule', candidates.length);
    t.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: Match.objectLike({
        Owner: 'CUSTOM_LAMBDA',
        SourceDetails: Match.arrayWith([Match.objectLike({ MessageType: 'ConfigurationItemChangeNotification' })]),
      }),
      InputParameters: { ruleId: candidates[0]!.id },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'config.amazonaws.com',
      SourceAccount: '111111111111',
    });
  });
});
