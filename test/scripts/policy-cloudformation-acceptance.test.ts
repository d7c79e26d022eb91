/**
 * Acceptance on a hand-written foreign template (not the corpus, not the project's stacks), through the command a
 * reviewer runs: `npm run policy:cloudformation -- <template>`. Each issue #23 rule class has an insecure resource
 * that must fail with the rule and the resource named, and a compliant twin (same logical id, one change) that must
 * not fail that rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FOREIGN = '999988887777';

const ROOT_ARN = "!Sub 'arn:aws:iam::${AWS::AccountId}:root'";
const ADMIN = `{ Effect: Allow, Principal: { AWS: ${ROOT_ARN} }, Action: 'kms:*', Resource: '*' }`;
const BUILD_ENV = 'Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0';

/**
 * One resource per class, written once: `yaml(insecure)` gives the insecure resource or its compliant twin (one
 * change), indented under `Resources:`; `id` is the resource the rule judges.
 */
const CASES: { rule: string; id: string; yaml: (insecure: boolean) => string }[] = [
  {
    rule: 'MLOPS-IAM-2',
    id: 'DeployRole',
    yaml: (bad) => `
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: '*' }
            Action: sts:AssumeRole
            Condition: ${bad ? "{ StringLike: { aws:PrincipalArn: '*' } }" : '{ StringEquals: { aws:PrincipalAccount: !Ref AWS::AccountId } }'}`,
  },
  {
    rule: 'MLOPS-BUCKET-5',
    // A bucket policy is judged on the bucket it belongs to.
    id: 'Shared',
    yaml: (bad) => `
  SharedPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Shared
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: ${bad ? "'*'" : `{ AWS: ${ROOT_ARN} }`}
            Action: s3:GetObject
            Resource: !Sub '\${Shared.Arn}/*'
            Condition: { Bool: { aws:SecureTransport: 'true' } }`,
  },
  {
    rule: 'MLOPS-KMS-2',
    id: 'PartnerKey',
    yaml: (bad) => `
  PartnerKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Statement:
          - ${ADMIN}
          - { Effect: Allow, Principal: { AWS: ${bad ? `'arn:aws:iam::${FOREIGN}:root'` : ROOT_ARN} }, Action: [kms:Decrypt, kms:CreateGrant], Resource: '*' }`,
  },
  {
    rule: 'MLOPS-KMS-3',
    id: 'StaticKey',
    yaml: (bad) => `
  StaticKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: ${!bad}
      KeyPolicy: { Statement: [${ADMIN}] }`,
  },
  {
    rule: 'MLOPS-IMG-3',
    id: 'Scorer',
    yaml: (bad) => `
  Scorer:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !Sub 'arn:aws:iam::\${AWS::AccountId}:role/scorer'
      EnableNetworkIsolation: true
      PrimaryContainer: { Image: ${bad ? "'docker.io/someone/scorer'" : "!Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/scorer:2.3.1'"} }`,
  },
  {
    rule: 'MLOPS-EVENTS-1',
    id: 'CaptureFeed',
    yaml: (bad) => `
  CaptureFeed:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: { source: [aws.s3], detail: { bucket: { name: [!Ref Capture] } } }
      Targets: [{ Id: bus, Arn: ${bad ? `'arn:aws:events:eu-west-1:${FOREIGN}:event-bus/default'` : "!Sub 'arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/default'"} }]`,
  },
  {
    rule: 'MLOPS-BUILD-1',
    id: 'ImageBuild',
    yaml: (bad) => `
  ImageBuild:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment: { ${BUILD_ENV}, PrivilegedMode: ${bad} }`,
  },
  {
    rule: 'MLOPS-BUILD-2',
    id: 'Publish',
    yaml: (bad) => `
  Publish:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        { ${BUILD_ENV}, EnvironmentVariables: [{ Name: REGISTRY_TOKEN, ${bad ? "Value: 'glpat-4f9c2a7d1e8b3c6a5d0e'" : "Type: SECRETS_MANAGER, Value: 'registry/token'"} }] }`,
  },
  {
    rule: 'MLOPS-ECR-5',
    id: 'Images',
    yaml: (bad) => `
  Images:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryPolicyText: { Statement: [{ Effect: Allow, Principal: ${bad ? "'*'" : `{ AWS: ${ROOT_ARN} }`}, Action: [ecr:BatchGetImage] }] }`,
  },
  {
    rule: 'MLOPS-BUCKET-7',
    id: 'Shared',
    yaml: (bad) => `
  Shared:
    Type: AWS::S3::Bucket
    Properties: { ${bad ? 'AccessControl: AuthenticatedRead' : 'OwnershipControls: { Rules: [{ ObjectOwnership: BucketOwnerEnforced }] }'} }`,
  },
];

/** The capture bucket the event rule refers to, present in both templates. */
const CAPTURE = `
  Capture:
    Type: AWS::S3::Bucket
    Properties: { Tags: [{ Key: mlops:purpose, Value: data-capture }] }`;

function judge(kind: 'insecure' | 'compliant') {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-acceptance-'));
  const file = join(dir, `${kind}.yaml`);
  writeFileSync(file, `Resources:${CAPTURE}${CASES.map((c) => c.yaml(kind === 'insecure')).join('')}\n`);
  const r = spawnSync('npx', ['tsx', 'scripts/policy-cloudformation.ts', file, '--region', 'eu-west-1', '--out', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run policy:cloudformation on a hand-written template of every issue #23 class', () => {
  const insecure = judge('insecure');
  const compliant = judge('compliant');
  /** The finding lines of one resource and rule: `  RULE <file>/<Id>: ...`. */
  const lines = (out: string, rule: string, id: string) =>
    out.split('\n').filter((l) => new RegExp(`^\\s+${rule} \\S+/${id}: `).test(l));

  test('reads both templates (exit 1 on open findings, never 2)', () => {
    expect(insecure.stderr).not.toMatch(/error/i);
    expect(insecure.status).toBe(1);
    expect([0, 1]).toContain(compliant.status);
  });

  test.each(CASES.map((c) => [c.rule, c.id]))('fails %s on %s, and its compliant twin passes it', (rule, id) => {
    expect(lines(insecure.stdout, rule, id)).toHaveLength(1);
    expect(lines(compliant.stdout, rule, id)).toEqual([]);
  });
});
