/** HardenedFunction: what every hosted Lambda gets, whoever hosts it. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { SKIP_BUNDLING } from '../support/app';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { HardenedFunction, HardenedFunctionProps } from '../../lib/constructs/hardened-function';
import { logGroupWrites } from '../../lib/constructs/iam-statements';

function build(over: Partial<HardenedFunctionProps> = {}) {
  const stack = new Stack(new App({ context: SKIP_BUNDLING }), 'S', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  const host = new Construct(stack, 'Host');
  const fn = new HardenedFunction(host, 'Resource', {
    name: 'compliance-checker',
    description: 'test function',
    roleDescription: 'test role',
    statements: ({ logGroup }) => [logGroupWrites(logGroup)],
    encryptionKey: new kms.Key(stack, 'Key'),
    deadLetter: { topic: new sns.Topic(stack, 'Topic') },
    outsideVpcReason: 'Calls only AWS service APIs over TLS with SigV4 in this test.',
    memorySize: 256,
    timeout: Duration.seconds(30),
    reservedConcurrentExecutions: 1,
    environment: { A: '1' },
    ...over,
  });
  return { fn, template: Template.fromStack(stack) };
}

const statementSids = (t: Template) =>
  Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) =>
    (p as { Properties: { PolicyDocument: { Statement: { Sid: string }[] } } }).Properties.PolicyDocument.Statement.map(
      (s) => s.Sid,
    ),
  );

describe('HardenedFunction', () => {
  it('hosts the function with one managed policy, an encrypted retained log group, JSON logs and a dead letter', () => {
    // GIVEN the minimal hosting props
    const { template: t } = build();
    // THEN one customer-managed policy and no inline policy, the role handed over immutable
    t.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    t.resourceCountIs('AWS::IAM::Policy', 0);
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^HostLogGroup') } },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      DeadLetterConfig: { TargetArn: { Ref: Match.stringLikeRegexp('^Topic') } },
      TracingConfig: { Mode: 'Active' },
    });
    // AND tracing comes with its permissions
    expect(statementSids(t)).toEqual(['WriteOwnLogs', 'WriteTraces']);
  });

  it('keeps the paths the hosts had: the function at its id, role, policy and log group beside it', () => {
    const { fn } = build();
    expect(fn.node.path).toBe('S/Host/Resource');
    expect(fn.node.defaultChild?.node.path).toBe('S/Host/Resource/Resource');
    expect([fn.executionRole, fn.policy, fn.hostedLogGroup].map((c) => c.node.path)).toEqual([
      'S/Host/Role',
      'S/Host/Policy',
      'S/Host/LogGroup',
    ]);
  });

  it('with tracing off, sets neither the tracing mode nor the X-Ray permissions', () => {
    const { template: t } = build({ tracing: 'OFF' });
    t.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
    expect(statementSids(t)).toEqual(['WriteOwnLogs']);
  });

  it('in a VPC, sets the subnets by id and adds the ENI permissions; outside, acknowledges why', () => {
    const { template: t } = build({ vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] } });
    t.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
    });
    expect(statementSids(t)).toEqual(['WriteOwnLogs', 'WriteTraces', 'VpcNetworkInterfaces']);
    expect(build().fn.acknowledgements.map((a) => a.id)).toEqual([
      'HIPAA.Security-LambdaInsideVPC',
      'NIST.800.53.R5-LambdaInsideVPC',
      'PCI.DSS.321-LambdaInsideVPC',
    ]);
  });

  it('with a queue dead letter, creates an alarmed encrypted DeadLetterQueue beside the function', () => {
    const built = build({
      deadLetter: {
        queue: {
          alarmTopic: sns.Topic.fromTopicArn(new Stack(), 'T', 'arn:aws:sns:eu-west-1:111111111111:t'),
          description: 'x',
        },
      },
      statements: ({ logGroup, deadLetterQueue }) => [
        logGroupWrites(logGroup),
        new iam.PolicyStatement({ sid: 'Send', actions: ['sqs:SendMessage'], resources: [deadLetterQueue!.queueArn] }),
      ],
    });
    const t = built.template;
    t.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HostDeadLetterQueue'), 'Arn'] } },
    });
    t.resourceCountIs('AWS::SQS::Queue', 1);
    expect(built.fn.hostedDeadLetterQueue?.node.path).toBe('S/Host/DeadLetterQueue');
  });

  it('rejects a function outside a VPC without the reason', () => {
    expect(() => build({ outsideVpcReason: undefined })).toThrow(
      /^outsideVpcReason must say why compliance-checker runs outside a VPC when vpc is not set, got undefined \(at S\/Host\)$/,
    );
  });
});
