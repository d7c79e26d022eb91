/**
 * The CloudFormation adapter on what no rule used to see (issue #23): trust policies, resource policies behind
 * always-true conditions, foreign grants and images, event targets, CodeBuild, and values behind conditions.
 * Each case runs template -> facts -> rules and names the rule and the resource; a compliant twin passes.
 */
import { evaluate, Finding } from '../../core/policy';
import { CfnTemplate, factsFromTemplate } from '../../core/policy/from-cloudformation';
import { ctx } from '../support/policy-facts';

const judge = (template: CfnTemplate): Finding[] =>
  evaluate(factsFromTemplate(template, { region: 'eu-west-1', account: '111122223333' }), ctx(), 'synth');
const failing = (template: CfnTemplate, ruleId: string) =>
  judge(template)
    .filter((f) => f.ruleId === ruleId && f.status === 'NON_COMPLIANT')
    .map((f) => f.resourceId);
const passing = (template: CfnTemplate, ruleId: string) =>
  judge(template)
    .filter((f) => f.ruleId === ruleId && f.status === 'COMPLIANT')
    .map((f) => f.resourceId);

const role = (trust: object): CfnTemplate => ({
  Resources: {
    GateRole: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trust] } },
    },
  },
});

describe('role trust policies (MLOPS-IAM-2)', () => {
  test('rejects a role any AWS principal may assume behind a condition that restricts nothing', () => {
    const t = role({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'aws:PrincipalArn': '*' } },
    });
    expect(failing(t, 'MLOPS-IAM-2')).toEqual(['GateRole']);
  });

  test('rejects arn:aws:iam::*:root without a condition', () => {
    const t = role({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 'sts:AssumeRole' });
    expect(failing(t, 'MLOPS-IAM-2')).toEqual(['GateRole']);
  });

  test('passes the compliant twin: the pipeline account pinned to its role', () => {
    const t = role({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
      Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/mlops-pipeline' } },
    });
    expect(passing(t, 'MLOPS-IAM-2')).toEqual(['GateRole']);
  });

  test('keeps judging the role’s inline policies (MLOPS-IAM-1) beside its trust policy', () => {
    const t = role({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
    (t.Resources!.GateRole!.Properties as Record<string, unknown>).Policies = [
      { PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } },
    ];
    expect(failing(t, 'MLOPS-IAM-1')).toEqual(['GateRole']);
    expect(passing(t, 'MLOPS-IAM-2')).toEqual(['GateRole']);
  });
});

const bucketWithPolicy = (statement: object, extra: object = {}): CfnTemplate => ({
  Resources: {
    Capture: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: { 'Fn::Sub': 'capture-${AWS::AccountId}' }, ...extra },
    },
    CapturePolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { 'Fn::Sub': 'capture-${AWS::AccountId}' },
        PolicyDocument: { Statement: [statement] },
      },
    },
  },
});

describe('bucket policies, ACLs and versioning (MLOPS-BUCKET-5, -6, -7)', () => {
  test('rejects "*" behind Bool aws:SecureTransport true used as if it restricted the principal', () => {
    const t = bucketWithPolicy({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: { 'Fn::Sub': 'arn:aws:s3:::capture-${AWS::AccountId}/*' },
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    });
    expect(failing(t, 'MLOPS-BUCKET-5')).toEqual(['Capture']);
  });

  test('passes the compliant twin: the same grant to one named role', () => {
    const t = bucketWithPolicy({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/detector' },
      Action: 's3:GetObject',
      Resource: { 'Fn::Sub': 'arn:aws:s3:::capture-${AWS::AccountId}/*' },
    });
    expect(passing(t, 'MLOPS-BUCKET-5')).toEqual(['Capture']);
  });

  test.each([
    ['PublicRead', 'NON_COMPLIANT'],
    ['AuthenticatedRead', 'NON_COMPLIANT'],
    ['Private', 'COMPLIANT'],
    ['LogDeliveryWrite', 'COMPLIANT'],
  ])('judges the canned ACL %s as %s', (acl, status) => {
    const t: CfnTemplate = { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { AccessControl: acl } } } };
    expect(judge(t).find((f) => f.ruleId === 'MLOPS-BUCKET-7')?.status).toBe(status);
  });

  test('rejects a bucket with suspended versioning and passes its enabled twin', () => {
    const bucket = (Status: string): CfnTemplate => ({
      Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status } } } },
    });
    expect(failing(bucket('Suspended'), 'MLOPS-BUCKET-6')).toEqual(['B']);
    expect(passing(bucket('Enabled'), 'MLOPS-BUCKET-6')).toEqual(['B']);
  });
});

describe('key policies (MLOPS-KMS-2, MLOPS-KMS-3) and key ids (MLOPS-BUCKET-3)', () => {
  const keyWith = (statement: object, extra: object = {}): CfnTemplate => ({
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        Properties: {
          EnableKeyRotation: true,
          KeyPolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
                Action: 'kms:*',
                Resource: '*',
              },
              statement,
            ],
          },
          ...extra,
        },
      },
    },
  });
  const decrypt = (account: string) => ({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: ['kms:Decrypt', 'kms:CreateGrant'],
    Resource: '*',
  });

  test('rejects decryption for an account outside the config, and passes a project account', () => {
    expect(failing(keyWith(decrypt('999988887777')), 'MLOPS-KMS-2')).toEqual(['Key']);
    expect(passing(keyWith(decrypt('111122223333')), 'MLOPS-KMS-2')).toEqual(['Key']);
  });

  test('rejects a key without rotation and passes its rotating twin', () => {
    expect(failing(keyWith(decrypt('111122223333'), { EnableKeyRotation: false }), 'MLOPS-KMS-3')).toEqual(['Key']);
    expect(passing(keyWith(decrypt('111122223333')), 'MLOPS-KMS-3')).toEqual(['Key']);
  });

  test.each([
    ['"String"', 'String', undefined],
    ['a key ARN', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', true],
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab', true],
    ['a multi-Region key id', 'mrk-1234abcd12ab34cd56ef1234567890ab', true],
    ['an alias', 'alias/capture', true],
    ['the AWS-managed alias', 'alias/aws/s3', false],
  ])('reads KMSMasterKeyID %s as customer-managed: %s', (_name, id, customerManaged) => {
    const t: CfnTemplate = {
      Resources: {
        B: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: id } },
              ],
            },
          },
        },
      },
    };
    const [facts] = factsFromTemplate(t);
    expect(facts?.kind === 'Bucket' ? facts.encryption.kmsKey : undefined).toEqual({ id, customerManaged });
    expect(judge(t).find((f) => f.ruleId === 'MLOPS-BUCKET-3')?.status).toBe(
      customerManaged === true ? 'COMPLIANT' : 'NON_COMPLIANT',
    );
  });
});

describe('model images at synth (MLOPS-IMG-3)', () => {
  const model = (Image: unknown): CfnTemplate => ({
    Resources: {
      Repo: { Type: 'AWS::ECR::Repository', Properties: { ImageTagMutability: 'IMMUTABLE' } },
      Model: {
        Type: 'AWS::SageMaker::Model',
        Properties: { EnableNetworkIsolation: true, ExecutionRoleArn: 'r', PrimaryContainer: { Image } },
      },
    },
  });

  test.each([
    ['a foreign account’s registry', '999988887777.dkr.ecr.eu-west-1.amazonaws.com/model:1.0.0'],
    ['Docker Hub by latest', 'someone/model:latest'],
    ['the project’s registry without a tag', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/model'],
  ])('rejects %s', (_name, image) => {
    expect(failing(model(image), 'MLOPS-IMG-3')).toEqual(['Model']);
  });

  test.each([
    ['the template’s repository URI with a release tag', { 'Fn::Sub': '${Repo.RepositoryUri}:1.0.0' }],
    [
      'CDK’s join from the repository ARN',
      {
        'Fn::Join': [
          '',
          [
            { 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo', 'Arn'] }] }] },
            '.dkr.ecr.',
            { 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo', 'Arn'] }] }] },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: 'Repo' },
            ':2.3.1',
          ],
        ],
      },
    ],
    [
      'the own account’s registry by digest',
      `111122223333.dkr.ecr.eu-west-1.amazonaws.com/model@sha256:${'b'.repeat(64)}`,
    ],
  ])('passes %s', (_name, image) => {
    expect(passing(model(image), 'MLOPS-IMG-3')).toEqual(['Model']);
  });

  test('rejects an image behind a parameter as unknown', () => {
    const f = judge(model({ Ref: 'ImageUri' })).find((x) => x.ruleId === 'MLOPS-IMG-3');
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', resourceId: 'Model', reason: expect.stringMatching(/unknown/) });
  });
});

describe('event rules on capture buckets (MLOPS-EVENTS-1)', () => {
  const rule = (target: unknown, pattern: object): CfnTemplate => ({
    Resources: {
      Capture: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketName: 'capture-bucket', Tags: [{ Key: 'mlops:purpose', Value: 'data-capture' }] },
      },
      Detector: { Type: 'AWS::Lambda::Function', Properties: {} },
      Forward: {
        Type: 'AWS::Events::Rule',
        Properties: { EventPattern: pattern, Targets: [{ Id: 't', Arn: target }] },
      },
    },
  });
  const onCapture = { source: ['aws.s3'], detail: { bucket: { name: [{ Ref: 'Capture' }] } } };

  test('rejects forwarding capture-bucket events to another account’s event bus', () => {
    const t = rule('arn:aws:events:eu-west-1:999988887777:event-bus/default', onCapture);
    expect(failing(t, 'MLOPS-EVENTS-1')).toEqual(['Forward']);
  });

  test('rejects forwarding every bucket’s events (no bucket filter) to another account', () => {
    const t = rule('arn:aws:events:eu-west-1:999988887777:event-bus/default', { source: ['aws.s3'] });
    expect(failing(t, 'MLOPS-EVENTS-1')).toEqual(['Forward']);
  });

  test('passes the compliant twin: the same events to a function of the template', () => {
    expect(passing(rule({ 'Fn::GetAtt': ['Detector', 'Arn'] }, onCapture), 'MLOPS-EVENTS-1')).toEqual(['Forward']);
  });

  test('rejects forwarding events of an untagged bucket that an endpoint config captures to', () => {
    // GIVEN the capture bucket without its purpose tag, named as DestinationS3Uri by an endpoint config
    const t = rule('arn:aws:events:eu-west-1:999988887777:event-bus/default', onCapture);
    const resources = t.Resources as Record<string, { Properties: Record<string, unknown> }>;
    delete resources.Capture!.Properties.Tags;
    const untagged = structuredClone(t);
    resources.Config = {
      Type: 'AWS::SageMaker::EndpointConfig',
      Properties: {
        DataCaptureConfig: { EnableCapture: true, DestinationS3Uri: { 'Fn::Sub': 's3://${Capture}/capture' } },
      },
    } as never;
    // THEN the rule judges it as holding captured data; without the endpoint config it is another bucket
    expect(failing(t, 'MLOPS-EVENTS-1')).toEqual(['Forward']);
    expect(judge(untagged).filter((f) => f.ruleId === 'MLOPS-EVENTS-1')).toEqual([]);
  });

  test('does not judge events of an artifacts bucket or of other sources', () => {
    const t = rule('arn:aws:events:eu-west-1:999988887777:event-bus/default', { source: ['aws.sagemaker'] });
    expect(judge(t).filter((f) => f.ruleId === 'MLOPS-EVENTS-1')).toEqual([]);
  });
});

describe('CodeBuild projects (MLOPS-BUILD-1, MLOPS-BUILD-2)', () => {
  const project = (environment: object): CfnTemplate => ({
    Resources: {
      Build: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Environment: { ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:7.0', ...environment },
        },
      },
    },
  });

  test('rejects privileged mode and passes its twin', () => {
    expect(failing(project({ PrivilegedMode: true }), 'MLOPS-BUILD-1')).toEqual(['Build']);
    expect(passing(project({ PrivilegedMode: false }), 'MLOPS-BUILD-1')).toEqual(['Build']);
  });

  test('rejects a plaintext password and passes the same variable from Secrets Manager', () => {
    const vars = (Type: string) => ({ EnvironmentVariables: [{ Name: 'DB_PASSWORD', Type, Value: 'hunter2' }] });
    expect(failing(project(vars('PLAINTEXT')), 'MLOPS-BUILD-2')).toEqual(['Build']);
    expect(passing(project(vars('SECRETS_MANAGER')), 'MLOPS-BUILD-2')).toEqual(['Build']);
  });

  test('a variable without Type is PLAINTEXT (the CodeBuild default)', () => {
    const t = project({
      EnvironmentVariables: [{ Name: 'GITHUB_TOKEN', Value: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' }],
    });
    expect(failing(t, 'MLOPS-BUILD-2')).toEqual(['Build']);
  });
});

describe('capture retention follows the endpoint config’s capture destination (MLOPS-CAPTURE-4)', () => {
  const template = (destination: unknown): CfnTemplate => ({
    Resources: {
      Untagged: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'inference-data' } },
      Config: {
        Type: 'AWS::SageMaker::EndpointConfig',
        Properties: {
          ProductionVariants: [{ ModelName: 'm', VariantName: 'v' }],
          DataCaptureConfig: {
            InitialSamplingPercentage: 10,
            DestinationS3Uri: destination,
            CaptureOptions: [{ CaptureMode: 'Input' }],
          },
        },
      },
    },
  });

  test.each([
    ['by literal name', 's3://inference-data/capture'],
    ['by reference', { 'Fn::Sub': 's3://${Untagged}/capture' }],
  ])('judges an untagged bucket the endpoint captures to, %s', (_name, destination) => {
    const f = judge(template(destination)).find((x) => x.ruleId === 'MLOPS-CAPTURE-4');
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', resourceId: 'Untagged' });
  });

  test('passes over an untagged bucket no endpoint captures to', () => {
    expect(judge(template('s3://elsewhere/capture')).filter((x) => x.ruleId === 'MLOPS-CAPTURE-4')).toEqual([]);
  });
});
