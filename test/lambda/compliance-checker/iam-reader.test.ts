/**
 * The IAM reader's branches moto cannot produce (denied reads, a deleted role), with an injected IAM client.
 * The happy path runs against moto in test/integration/compliance-checker-iam.test.ts.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { IamReader } from '../../../lambda/compliance-checker/collect/iam';
import { Scan } from '../../../lambda/compliance-checker/collect/scan';
import { memoryLogger } from '../../../lambda/shared/logger';
import { evaluate } from '../../../core/policy/catalogue';
import { ModelFacts } from '../../../core/policy/facts';
import { NOW, POLICY } from '../../support/fake-account';

const ROLE = 'arn:aws:iam::111122223333:role/exec';
const model = (name: string): ModelFacts => ({
  kind: 'Model',
  id: `arn:aws:sagemaker:eu-west-1:111122223333:model/${name}`,
  name,
  networkIsolation: true,
  images: [],
  executionRoleArn: ROLE,
});
const denied = () => Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
const trust = encodeURIComponent(
  JSON.stringify({
    Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }),
);

function read(setup: (iam: ReturnType<typeof mockClient>) => void) {
  const client = new IAMClient({ region: 'eu-west-1' });
  const iam = mockClient(client);
  iam.on(GetRoleCommand).resolves({
    Role: { Arn: ROLE, RoleName: 'exec', AssumeRolePolicyDocument: trust, Path: '/', RoleId: 'AROA', CreateDate: NOW },
  });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  setup(iam);
  const scan = new Scan(memoryLogger());
  return { iam, scan, reader: new IamReader(scan, client) };
}

const verdicts = (scan: Scan) =>
  evaluate(scan.result().resources, { policy: POLICY, now: NOW }, 'run').map(
    (f) => `${f.ruleId} ${f.resourceKind} ${f.status}`,
  );

describe('IAM reader', () => {
  test('reads a role shared by two models once, and never reads an AWS-managed policy', async () => {
    // GIVEN a role with an AWS-managed policy attached, used by two models
    const { iam, scan, reader } = read((m) =>
      m.on(ListAttachedRolePoliciesCommand).resolves({
        AttachedPolicies: [
          { PolicyArn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess', PolicyName: 'AmazonSageMakerFullAccess' },
        ],
      }),
    );
    // WHEN the roles of both models are read
    await reader.rolesOf([model('a'), model('b')]);
    // THEN one GetRole, no policy document read, and the role's trust policy is judged, naming both models
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(iam.commandCalls(GetPolicyCommand)).toHaveLength(0);
    expect(scan.result().resources).toEqual([expect.objectContaining({ kind: 'Role', id: ROLE, usedBy: ['a', 'b'] })]);
    expect(verdicts(scan)).toEqual(['MLOPS-IAM-2 Role COMPLIANT']);
  });

  test('fails a role whose trust policy is denied: recorded, and judged unknown', async () => {
    const { scan, reader } = read((m) => m.on(GetRoleCommand).rejects(denied()));
    await reader.rolesOf([model('a')]);
    expect(scan.result().errors).toEqual([
      expect.objectContaining({ resourceKind: 'Role', resource: ROLE, operation: 'iam:GetRole', accessDenied: true }),
    ]);
    expect(verdicts(scan)).toEqual(['MLOPS-IAM-2 Role NON_COMPLIANT']);
  });

  test('fails the role’s identity policies when the attached policies cannot be listed: one may be wide', async () => {
    const { scan, reader } = read((m) => m.on(ListAttachedRolePoliciesCommand).rejects(denied()));
    await reader.rolesOf([model('a')]);
    expect(scan.result().errors.map((e) => e.operation)).toEqual(['iam:ListAttachedRolePolicies']);
    expect(verdicts(scan)).toEqual(['MLOPS-IAM-2 Role COMPLIANT', 'MLOPS-IAM-1 IdentityPolicy NON_COMPLIANT']);
  });

  test('fails a customer-managed policy whose document is denied, naming the call that failed', async () => {
    const arn = 'arn:aws:iam::111122223333:policy/mine';
    const { iam, scan, reader } = read((m) => {
      m.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: arn, PolicyName: 'mine' }] });
      m.on(GetPolicyCommand).resolves({ Policy: { Arn: arn, DefaultVersionId: 'v2' } });
      m.on(GetPolicyVersionCommand).rejects(denied());
    });
    await reader.rolesOf([model('a')]);
    expect(iam.commandCalls(GetPolicyVersionCommand)[0]?.args[0].input).toEqual({ PolicyArn: arn, VersionId: 'v2' });
    expect(scan.result().errors.map((e) => `${e.resource} ${e.operation}`)).toEqual([`${arn} iam:GetPolicyVersion`]);
    expect(verdicts(scan)).toEqual(['MLOPS-IAM-2 Role COMPLIANT', 'MLOPS-IAM-1 IdentityPolicy NON_COMPLIANT']);
  });

  test('a deleted role is recorded as not found and judged by nothing', async () => {
    const { scan, reader } = read((m) =>
      m.on(GetRoleCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchEntityException' })),
    );
    await reader.rolesOf([model('a')]);
    expect(scan.result()).toMatchObject({
      resources: [],
      errors: [],
      notFound: [{ resourceKind: 'Role', resource: ROLE }],
    });
  });
});
