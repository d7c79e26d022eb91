/**
 * The pipeline's compliance gate at run time, across accounts, on moto_server: the tooling account's pipeline role
 * assumes the environment's gate role in the target account (role chaining, real STS), and the compliance checker
 * answers a CodePipeline job carrying exactly the UserParameters the synthesized pipeline gives the gate action,
 * judging resources of the target account only, with the policy from the synthesized function's POLICY_JSON.
 *
 * What moto 5.2.1 cannot show, and what stands in for it:
 * - CodePipeline, CodeBuild and CodeConnections resources cannot be created through CloudFormation, so no pipeline
 *   is deployed: its gate actions are read from the synthesized template (asserted in
 *   test/stacks/pipeline-stack.test.ts).
 * - moto does not evaluate IAM trust or permission policies: the roles are created with the synthesized documents,
 *   but "only the pipeline role may assume the gate role" is proven on the template, not here.
 * - Lambda Invoke needs Docker in moto: the checker's handler runs in-process with the target account's credentials,
 *   as it would with its own execution role.
 * - PutJobSuccessResult answers HTTP 500 on moto: the job result calls are the only mocked calls in this file.
 * - moto returns the same HIGH scan finding for every image and drops a model's network isolation, so both gates
 *   fail here: the assertions check that they fail closed, naming the rule and the resource.
 */
import { createHash } from 'node:crypto';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { CreateRepositoryCommand, ECRClient, PutImageCommand, StartImageScanCommand } from '@aws-sdk/client-ecr';
import { CreatePolicyCommand, AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { SNSClient } from '@aws-sdk/client-sns';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { CheckerClients, makeHandler } from '../../lambda/compliance-checker/handler';
import { parsePolicy } from '../../lambda/compliance-checker/settings';
import { memoryLogger } from '../../lambda/shared/logger';
import { MlopsStage } from '../../lib/stacks/mlops-environment';
import { buildTestApp, defaultConfigDocument } from '../support/app';
import { MOTO_ACCOUNT, useMoto } from '../support/aws-env';

const REGION = 'eu-west-1';
const TOOLING = MOTO_ACCOUNT;
const TARGET = '111111111111';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
interface GateAction {
  Name: string;
  RoleArn: string;
  Configuration: { FunctionName: string; UserParameters: string };
}

/**
 * The image manifest the test pushes, and the digest moto gives it: ECR names an image by the SHA-256 of its
 * manifest; moto 5.2.1 hashes the concatenated layer digests instead (here none), so the test computes moto's.
 */
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: {
    mediaType: 'application/vnd.docker.container.image.v1+json',
    size: 1,
    digest: `sha256:${'b'.repeat(64)}`,
  },
  layers: [],
});
const MANIFEST_DIGEST = `sha256:${createHash('sha256').update('').digest('hex')}`;

/**
 * The default app with the pipeline in moto's own account (tooling) and staging in TARGET, its model pinned to the
 * digest of the image this test pushes (the gate judges the digest the model runs).
 */
function synthesized() {
  const doc = defaultConfigDocument() as {
    pipeline: { account: string; connectionArn: string };
    environments: { name: string; account: string }[];
    models: { image: { digest?: string } }[];
  };
  doc.models[0]!.image.digest = MANIFEST_DIGEST;
  doc.pipeline.account = TOOLING;
  doc.pipeline.connectionArn = doc.pipeline.connectionArn.replace('999999999999', TOOLING);
  expect(doc.environments.find((e) => e.name === 'staging')!.account).toBe(TARGET);
  const built = buildTestApp(doc, { policyPacks: false });
  const staging = built.environments.find((e) => e.node.id === 'staging') as MlopsStage;
  const pipeline = Template.fromStack(built.pipeline!).findResources('AWS::CodePipeline::Pipeline');
  const stages = (Object.values(pipeline)[0]!.Properties as { Stages: { Name: string; Actions: GateAction[] }[] })
    .Stages;
  const gates = stages.find((s) => s.Name === 'staging')!.Actions.filter((a) => a.Name.endsWith('Gate'));
  const platform = Template.fromStack(staging.platform);
  const [role] = Object.values(platform.findResources('AWS::IAM::Role')).filter((r) =>
    JSON.stringify(r).includes('pipeline-gate'),
  );
  const [gatePolicy] = Object.values(platform.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    JSON.stringify(p).includes('InvokeComplianceChecker'),
  );
  const [fn] = Object.values(platform.findResources('AWS::Lambda::Function')).filter(
    (f) => (f.Properties as { FunctionName?: string }).FunctionName !== undefined,
  );
  return {
    config: built.config,
    imageGate: gates.find((g) => g.Name === 'ImageGate')!,
    endpointGate: gates.find((g) => g.Name === 'EndpointGate')!,
    gateRole: role!.Properties as { RoleName: string; AssumeRolePolicyDocument: unknown },
    gatePolicy: gatePolicy!.Properties as { PolicyDocument: unknown },
    policyJson: (fn!.Properties as { Environment: { Variables: { POLICY_JSON: string } } }).Environment.Variables
      .POLICY_JSON,
  };
}

describe('pipeline gate across accounts against moto_server', () => {
  const moto = useMoto();
  const app = synthesized();
  const cfg = (credentials?: Credentials) => ({
    ...moto.clientConfig(REGION),
    ...(credentials ? { credentials } : {}),
  });
  let admin: Credentials; // the target account's administrator (stands in for the CDK deploy role)
  let gate: Credentials; // what a gate action runs with: pipeline role -> gate role
  let pipelineRoleArn: string;

  const assume = async (as: Credentials | undefined, roleArn: string, session: string): Promise<Credentials> => {
    const out = await new STSClient(cfg(as)).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  };

  beforeAll(async () => {
    // GIVEN the pipeline role in the tooling account, as CodePipeline assumes it
    const toolingIam = new IAMClient(cfg());
    const pipelineRole = await toolingIam.send(
      new CreateRoleCommand({
        RoleName: 'mlops-pipeline',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    pipelineRoleArn = pipelineRole.Role!.Arn!;
    const pipelineSession = await assume(undefined, pipelineRoleArn, 'codepipeline');

    // AND in the target account the gate role and its policy, exactly as the PlatformStack synthesizes them
    admin = await assume(undefined, `arn:aws:iam::${TARGET}:role/OrganizationAccountAccessRole`, 'admin');
    const targetIam = new IAMClient(cfg(admin));
    await targetIam.send(
      new CreateRoleCommand({
        RoleName: app.gateRole.RoleName,
        AssumeRolePolicyDocument: JSON.stringify(app.gateRole.AssumeRolePolicyDocument),
      }),
    );
    const policyDoc = JSON.stringify(app.gatePolicy.PolicyDocument).replace(
      /\{"Fn::GetAtt":\["ComplianceChecker[A-Z0-9]+","Arn"\]\}/,
      JSON.stringify(`arn:aws:lambda:${REGION}:${TARGET}:function:${app.imageGate.Configuration.FunctionName}`),
    );
    const policy = await targetIam.send(new CreatePolicyCommand({ PolicyName: 'gate', PolicyDocument: policyDoc }));
    await targetIam.send(
      new AttachRolePolicyCommand({ RoleName: app.gateRole.RoleName, PolicyArn: policy.Policy!.Arn! }),
    );

    // AND what the staging deployment put there: the model image and the endpoint
    const ecr = new ECRClient(cfg(admin));
    const sagemaker = new SageMakerClient(cfg(admin));
    const image = app.config.models[0]!.image;
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: image.repository,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    await ecr.send(
      new PutImageCommand({
        repositoryName: image.repository,
        imageTag: image.tag,
        imageManifest: MANIFEST,
      }),
    );
    await ecr.send(new StartImageScanCommand({ repositoryName: image.repository, imageId: { imageTag: image.tag } }));
    const endpointName = `mlops-staging-${app.config.models[0]!.name}`;
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: `${endpointName}-model`,
        ExecutionRoleArn: `arn:aws:iam::${TARGET}:role/sagemaker`,
        EnableNetworkIsolation: true,
        PrimaryContainer: { Image: `${TARGET}.dkr.ecr.${REGION}.amazonaws.com/${image.repository}:${image.tag}` },
      }),
    );
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: `${endpointName}-config`,
        ProductionVariants: [
          {
            VariantName: 'main',
            ModelName: `${endpointName}-model`,
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 2,
          },
        ],
      }),
    );
    await sagemaker.send(
      new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: `${endpointName}-config` }),
    );

    // WHEN a gate action runs: CodePipeline's session of the pipeline role assumes the action's role
    gate = await assume(pipelineSession, app.imageGate.RoleArn, 'gate');
  }, 60_000);

  /** The checker in the account the credentials belong to; job results mocked (moto answers them with HTTP 500). */
  function checker(credentials: Credentials) {
    const c = cfg(credentials);
    const codepipeline = new CodePipelineClient(c);
    const results = mockClient(codepipeline);
    results.on(PutJobSuccessResultCommand).resolves({});
    results.on(PutJobFailureResultCommand).resolves({});
    const clients: CheckerClients = {
      sagemaker: new SageMakerClient(c),
      ecr: new ECRClient(c),
      kms: new KMSClient(c),
      s3: new S3Client(c),
      cloudwatch: new CloudWatchClient(c),
      sns: new SNSClient(c),
      config: new ConfigServiceClient(c),
      codepipeline,
    };
    const handler = makeHandler({
      clients,
      settings: {
        policy: parsePolicy(app.policyJson),
        reportBucket: 'unused-by-the-gate',
        reportKmsKeyArn: `arn:aws:kms:${REGION}:${TARGET}:key/unused`,
        alertTopicArn: `arn:aws:sns:${REGION}:${TARGET}:unused`,
        concurrency: 2,
        imageScope: 'in-use',
        scanRegions: [REGION],
      },
      logger: memoryLogger(),
      region: REGION,
    });
    const run = (action: GateAction, jobId: string) =>
      handler({
        'CodePipeline.job': {
          id: jobId,
          accountId: TOOLING,
          data: { actionConfiguration: { configuration: action.Configuration } },
        },
      });
    const failureMessage = () =>
      results.commandCalls(PutJobFailureResultCommand).map((c) => c.args[0].input.failureDetails?.message ?? '');
    return { run, results, failureMessage };
  }

  test('the pipeline role reaches the target account only as the synthesized gate role (role chaining)', async () => {
    const me = await new STSClient(cfg(gate)).send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(TARGET);
    expect(me.Arn).toBe(`arn:aws:sts::${TARGET}:assumed-role/${app.gateRole.RoleName}/gate`);
    expect(app.imageGate.RoleArn).toBe(`arn:aws:iam::${TARGET}:role/${app.gateRole.RoleName}`);
    expect(app.gateRole.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Condition: { ArnEquals: { 'aws:PrincipalArn': pipelineRoleArn } } }],
    });
  });

  test('image gate: judges the exact images in the target account and fails closed, naming rule and image', async () => {
    // WHEN the checker (in the target account) gets the image gate's job
    const { run, results, failureMessage } = checker(gate);
    const result = await run(app.imageGate, 'job-image-gate');
    // THEN it answers the job with a failure naming the image rule and the image (moto reports a HIGH finding for
    // every image, above the policy's maxFindingSeverity MEDIUM)
    expect(result).toMatchObject({ kind: 'pipeline', passed: false });
    expect(results.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
    expect(failureMessage()).toEqual([
      expect.stringMatching(/^\[gate findings=\d+ [^\]]*\]\nCompliance gate failed: .*MLOPS-IMG-1/s),
    ]);
    expect(failureMessage()[0]).toContain('fraud-xgb');
    expect(failureMessage()[0]).toMatch(/What to do \(MLOPS-IMG-1\): Rebuild the image on a patched base/);
  });

  test('endpoint gate: judges the environment’s endpoint after deployment, failing closed on what moto drops', async () => {
    const { run, failureMessage } = checker(gate);
    const result = await run(app.endpointGate, 'job-endpoint-gate');
    expect(result).toMatchObject({ kind: 'pipeline', passed: false });
    // moto drops the model's network isolation: the gate reports it rather than passing an unproven endpoint
    expect(failureMessage()[0]).toMatch(/MLOPS-SM-2/);
    expect(failureMessage()[0]).toContain('mlops-staging-fraud-xgb');
  });

  test('fails closed when the resources are not in the account it runs in (the tooling account has none)', async () => {
    // GIVEN the same gate job answered with the tooling account's own credentials
    const tooling = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    const { run, failureMessage } = checker(tooling);
    // WHEN / THEN
    expect(await run(app.endpointGate, 'job-wrong-account')).toMatchObject({ passed: false });
    expect(failureMessage()[0]).toMatch(/Named resource\(s\) not found: .*mlops-staging-fraud-xgb/);
    expect(failureMessage()[0]).toMatch(/What to do: push the image tag .* or deploy the environment/);
  });
});
