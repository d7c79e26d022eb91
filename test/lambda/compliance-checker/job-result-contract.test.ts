/**
 * The cross-account gate's answer to CodePipeline, checked against the CodePipeline API model the SDK ships (its
 * operation and structure schemas), not a mock that accepts anything: moto cannot take PutJobSuccessResult (it answers
 * 500), so the real SDK client serializes and signs the checker's answer and the request is read off the wire.
 * And the IAM path that answer travels, asserted in both stacks: the gate role in the target account (trusted by the
 * tooling account's pipeline role only, may invoke the checker only), the checker's own role holding
 * codepipeline:PutJob*Result (on "*": the API has no resource-level permissions), the gate actions running as the
 * gate role, the pipeline role allowed to assume it.
 */
import * as cp from '@aws-sdk/client-codepipeline';
import { Template } from 'aws-cdk-lib/assertions';
import { MAX_FAILURE_MESSAGE, MAX_SUMMARY } from '../../../lambda/compliance-checker/gate';
import { gateNames } from '../../../core/contracts/pipeline-gate';
import { MlopsStage } from '../../../lib/stacks/mlops-environment';
import { buildTestApp } from '../../support/app';
import { compliantStack, createAccount, mockAccount, pipelineEvent, REGION } from '../../support/fake-account';

/** The SDK's structure schema: [3, namespace, name, traits, memberNames, memberSchemas, requiredCount]. */
type StructureSchema = [3, string, string, unknown, string[], unknown[], number?];
const structure = (name: string) => {
  const s = (cp as unknown as Record<string, StructureSchema>)[`${name}$`]!;
  expect(s[0]).toBe(3);
  expect(s[1]).toBe('com.amazonaws.codepipeline');
  return { members: s[4], required: s[4].slice(0, s[6] ?? 0) };
};

interface Captured {
  hostname: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The checker's execution role's session in the target account (what the Lambda runs with). */
const ROLE_SESSION = { accessKeyId: 'ASIATARGETEXECROLE01', secretAccessKey: 'secret', sessionToken: 'target-session' };

async function answer(userParameters: unknown, isolation: boolean) {
  // GIVEN the checker with every read answered by the fake account, and a REAL CodePipeline client whose transport
  // records the signed request and answers 200 as CodePipeline does
  const account = createAccount();
  compliantStack(account, 'fraud', { isolation });
  const { handler, clients, mocks } = mockAccount(account);
  mocks.cp.restore();
  const captured: Captured[] = [];
  (clients as { codepipeline: cp.CodePipelineClient }).codepipeline = new cp.CodePipelineClient({
    region: REGION,
    credentials: ROLE_SESSION,
    requestHandler: {
      handle: async (request: { hostname: string; headers: Record<string, string>; body: string | Uint8Array }) => {
        const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
        captured.push({ hostname: request.hostname, headers: request.headers, body: JSON.parse(text) });
        return {
          response: {
            statusCode: 200,
            reason: 'OK',
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Buffer.from('{}'),
          },
        };
      },
    },
  });
  // WHEN CodePipeline invokes it with a job
  const result = await handler(pipelineEvent(userParameters, 'c0ffee00-1111-4222-8333-444455556666'));
  return { result, captured };
}

const header = (c: Captured, name: string) =>
  Object.entries(c.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

describe('the gate’s answer against the CodePipeline API model in the SDK', () => {
  test('a passing gate sends PutJobSuccessResult: only modelled members, the required ones present, limits kept', async () => {
    const { result, captured } = await answer({ endpointNames: ['fraud'] }, true);
    expect(result).toMatchObject({ passed: true });
    expect(captured).toHaveLength(1);
    const [req] = captured;
    // THEN the operation is the modelled one, on the service's JSON protocol
    expect(header(req!, 'x-amz-target')).toBe('CodePipeline_20150709.PutJobSuccessResult');
    expect(header(req!, 'content-type')).toBe('application/x-amz-json-1.1');
    const input = structure('PutJobSuccessResultInput');
    expect(input.required).toEqual(['jobId']);
    for (const key of Object.keys(req!.body)) expect(input.members).toContain(key);
    expect(req!.body.jobId).toBe('c0ffee00-1111-4222-8333-444455556666');
    const details = req!.body.executionDetails as Record<string, unknown>;
    for (const key of Object.keys(details)) expect(structure('ExecutionDetails').members).toContain(key);
    expect(String(details.summary).length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(details.percentComplete).toBe(100);
  });

  test('a failing gate sends PutJobFailureResult with a modelled failure type and a bounded message', async () => {
    const { result, captured } = await answer({ endpointNames: ['fraud'] }, false);
    expect(result).toMatchObject({ passed: false });
    const [req] = captured;
    expect(header(req!, 'x-amz-target')).toBe('CodePipeline_20150709.PutJobFailureResult');
    const input = structure('PutJobFailureResultInput');
    expect(input.required).toEqual(['jobId', 'failureDetails']);
    expect(Object.keys(req!.body).sort()).toEqual(expect.arrayContaining(input.required));
    for (const key of Object.keys(req!.body)) expect(input.members).toContain(key);
    const failure = structure('FailureDetails');
    expect(failure.required).toEqual(['type', 'message']);
    const details = req!.body.failureDetails as Record<string, string>;
    for (const key of failure.required) expect(details[key]).toBeDefined();
    for (const key of Object.keys(details)) expect(failure.members).toContain(key);
    expect(Object.values(cp.FailureType)).toContain(details.type);
    expect(details.message!.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE);
    expect(details.message).toMatch(/MLOPS-SM-2/);
  });

  test('the answer is signed for CodePipeline in the checker’s region, with the checker role’s session', async () => {
    const { captured } = await answer({ endpointNames: ['fraud'] }, true);
    const [req] = captured;
    expect(req!.hostname).toBe(`codepipeline.${REGION}.amazonaws.com`);
    expect(header(req!, 'authorization')).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${ROLE_SESSION.accessKeyId}/\\d{8}/${REGION}/codepipeline/aws4_request`),
    );
    expect(header(req!, 'x-amz-security-token')).toBe(ROLE_SESSION.sessionToken);
  });
});

describe('the IAM path of the cross-account answer, in both stacks', () => {
  const built = buildTestApp(undefined, { policyPacks: false });
  const { config } = built;
  const pipeline = Template.fromStack(built.pipeline!);
  const [cfnPipeline] = Object.values(pipeline.findResources('AWS::CodePipeline::Pipeline'));
  const stages = (
    cfnPipeline!.Properties as {
      Stages: {
        Name: string;
        Actions: { Name: string; RoleArn?: unknown; Configuration?: { FunctionName?: string } }[];
      }[];
    }
  ).Stages;

  test.each(config.environments.map((e) => [e.name, e] as const))(
    '%s: gate role, checker role and gate actions',
    (_n, env) => {
      const platform = Template.fromStack(
        (built.environments.find((e) => e.node.id === env.name) as MlopsStage).platform,
      );
      const gateRole = gateNames.gateRole(config.projectName, env.name);
      const checker = gateNames.checkerFunction(config.projectName, env.name);
      // Target account: the gate role is trusted by the tooling account's pipeline role alone
      platform.hasResourceProperties('AWS::IAM::Role', {
        RoleName: gateRole,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${config.pipeline!.account}:root` },
              Condition: {
                ArnEquals: {
                  'aws:PrincipalArn': `arn:aws:iam::${config.pipeline!.account}:role/${gateNames.pipelineRole(config.projectName)}`,
                },
              },
            },
          ],
        },
      });
      // AND the checker (which answers the job) holds exactly the two job-result actions, on "*" (no resource-level
      // permissions exist for them)
      const statements = Object.values(platform.findResources('AWS::IAM::ManagedPolicy')).flatMap(
        (p) =>
          (p.Properties as { PolicyDocument: { Statement: { Sid?: string; Action: unknown; Resource: unknown }[] } })
            .PolicyDocument.Statement,
      );
      const jobResult = statements.filter((s) => JSON.stringify(s.Action).includes('codepipeline:'));
      expect(jobResult).toEqual([
        expect.objectContaining({
          Sid: 'ReportPipelineGateResult',
          Action: ['codepipeline:PutJobFailureResult', 'codepipeline:PutJobSuccessResult'],
          Resource: '*',
        }),
      ]);
      platform.hasResourceProperties('AWS::Lambda::Function', { FunctionName: checker });
      // Tooling account: every gate action of the stage invokes that checker as that gate role
      const gates = stages.find((s) => s.Name === env.name)!.Actions.filter((a) => /Gate/.test(a.Name));
      expect(gates.length).toBeGreaterThanOrEqual(2);
      for (const g of gates) {
        expect(g.RoleArn).toBe(`arn:aws:iam::${env.account}:role/${gateRole}`);
        expect(g.Configuration?.FunctionName).toBe(checker);
      }
      // AND the pipeline role may assume it
      expect(JSON.stringify(pipeline.findResources('AWS::IAM::Policy'))).toContain(
        `arn:aws:iam::${env.account}:role/${gateRole}`,
      );
    },
  );
});
