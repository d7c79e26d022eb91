import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { deadAcknowledgements, recordedAcknowledgements } from '../../lib/reports/audit';
import { ValidationReport } from '../../lib/reports/validation-report';
import { POLICY_PACKS } from '../../lib/nag/pack-names';
import { RULES } from '../../core/policy/catalogue';
import { buildTestApp, defaultConfigDocument, largeConfigDocument } from '../support/app';

/** Synthesizes with every pack; returns the validation report whether or not synth failed. */
function synthReport(app: App): { report: ValidationReport; error?: Error } {
  let error: Error | undefined;
  try {
    app.synth();
  } catch (err) {
    error = err as Error;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return { report, ...(error ? { error } : {}) };
}

const unacknowledged = (r: ValidationReport) =>
  r.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} @ ${c.constructPath}`)),
  );

describe.each([
  ['the default config', defaultConfigDocument],
  ['a larger config (3 models, 2 environments, VPC, LINEAR and CANARY)', largeConfigDocument],
])('policy packs on %s', (_name, doc) => {
  let app: App;
  let packs: ReturnType<typeof buildTestApp>['packs'];
  let report: ValidationReport;
  let error: Error | undefined;
  beforeAll(() => {
    ({ app, packs } = buildTestApp(doc()));
    ({ report, error } = synthReport(app));
  });

  test('all six packs are registered', () => {
    // The plugin names come from cdk-nag's classes: they must be the names the reports and acknowledgements use.
    expect(packs).toHaveLength(6);
    expect(packs.map((p) => p.name).sort()).toEqual([...POLICY_PACKS].sort());
  });

  test('synth succeeds with zero unacknowledged findings', () => {
    expect(unacknowledged(report)).toEqual([]);
    expect(error).toBeUndefined();
  });

  test('every acknowledgement removes a real finding (none is dead) and keeps its reason in the report', () => {
    expect(recordedAcknowledgements(app).length).toBeGreaterThan(0);
    expect(deadAcknowledgements(app, report)).toEqual([]);
    const suppressed = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect(s.reason?.length ?? 0).toBeGreaterThanOrEqual(20);
  });

  test('every acknowledgement names one finding of one pack, never a bare prefix', () => {
    for (const a of recordedAcknowledgements(app)) {
      expect(POLICY_PACKS).toContain(a.id.split('::')[0]);
      expect(a.id).not.toMatch(/::AwsSolutions-IAM[45]$/);
    }
  });
});

describe('an insecure change is caught at synth', () => {
  test('fails when a model loses network isolation (MLOPS-SM-2)', () => {
    // GIVEN the default app with an escape hatch turning network isolation off
    const { app, environments } = buildTestApp();
    const model = environments[0]!.modelStacks[0]!.endpoint.model as sagemaker.CfnModel;
    model.enableNetworkIsolation = false;
    // WHEN
    const { report, error } = synthReport(app);
    // THEN synth fails and names the rule and the resource
    expect(error?.message).toMatch(/MLOPS-SM-2/);
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^MLOPS-SM-2 @ staging\/Model-fraud-xgb\/Endpoint\/Model$/)]),
    );
  });

  test('fails when a bucket loses its KMS encryption and access logging', () => {
    const { app, environments } = buildTestApp();
    const bucket = environments[0]!.platform.artifactsBucket.node.defaultChild as s3.CfnBucket;
    bucket.bucketEncryption = undefined;
    bucket.loggingConfiguration = undefined;
    const { report, error } = synthReport(app);
    expect(error).toBeDefined();
    const findings = unacknowledged(report).filter((f) =>
      f.endsWith('staging/Platform/ArtifactsBucket/Resource/Resource'),
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-S1 /),
        expect.stringMatching(/^NIST\.800\.53\.R5-S3DefaultEncryptionKMS /),
        expect.stringMatching(/^MLOPS-BUCKET-1 /),
        expect.stringMatching(/^MLOPS-BUCKET-3 /),
      ]),
    );
  });

  test('fails when capture sampling exceeds the policy maximum (MLOPS-CAPTURE-3)', () => {
    const { app, environments } = buildTestApp();
    const config = environments[0]!.modelStacks[0]!.endpoint.endpointConfig as sagemaker.CfnEndpointConfig;
    config.addPropertyOverride('DataCaptureConfig.InitialSamplingPercentage', 100);
    const { report } = synthReport(app);
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MLOPS-CAPTURE-3 @ staging\/Model-fraud-xgb\/Endpoint\/EndpointConfig$/),
      ]),
    );
  });

  test('the MLOPS pack runs every synth-stage rule of the catalogue', () => {
    const { packs } = buildTestApp(undefined, {});
    const mlops = packs.find((p) => p.name === 'MLOPS')!;
    expect([...(mlops.ruleIds ?? [])].sort()).toEqual(
      RULES.filter((r) => r.stages.includes('synth'))
        .map((r) => r.id)
        .sort(),
    );
  });
});

/** The insecure changes of issue #10: each must make synth fail with a finding that names it. */
describe('the holes an insecure change used to walk through are closed', () => {
  const readCapture = () =>
    new iam.PolicyStatement({ sid: 'Sneaky', actions: ['s3:GetObject', 'kms:Decrypt'], resources: ['*'] });

  test('fails when s3:GetObject and kms:Decrypt on "*" are added to the drift detector policy (MLOPS-IAM-1)', () => {
    // GIVEN the default app, with a wildcard read added to the detector's managed policy
    const { app, environments } = buildTestApp();
    const detector = environments[0]!.modelStacks[0]!.driftMonitor!;
    (detector.node.findChild('Policy') as iam.ManagedPolicy).addStatements(readCapture());
    // WHEN synthesized
    const { report, error } = synthReport(app);
    // THEN synth fails on the MLOPS identity-policy rule at that policy
    expect(error).toBeDefined();
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^MLOPS-IAM-1 @ staging\/Model-fraud-xgb\/DriftMonitor\/Policy/)]),
    );
  });

  test('fails when kms:Decrypt on "*" is added to the SageMaker model execution policy (MLOPS-IAM-1)', () => {
    // GIVEN the model's execution policy with a wildcard decrypt
    const { app, environments } = buildTestApp();
    const endpoint = environments[0]!.modelStacks[0]!.endpoint;
    (endpoint.node.findChild('ExecutionPolicy') as iam.ManagedPolicy).addStatements(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }),
    );
    // WHEN synthesized
    const { report, error } = synthReport(app);
    // THEN
    expect(error).toBeDefined();
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MLOPS-IAM-1 @ staging\/Model-fraud-xgb\/Endpoint\/ExecutionPolicy/),
      ]),
    );
  });

  test('fails when the capture key policy lets any principal decrypt (MLOPS-KMS-1)', () => {
    // GIVEN the capture key with a statement for "*"
    const { app, environments } = buildTestApp();
    environments[0]!.platform.captureKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AnyoneDecrypts',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // WHEN synthesized
    const { report, error } = synthReport(app);
    // THEN
    expect(error).toBeDefined();
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^MLOPS-KMS-1 @ staging\/Platform\/CaptureKey\/Resource$/)]),
    );
  });

  test('fails when the TLS-only deny is narrowed to an unused prefix (MLOPS-BUCKET-2)', () => {
    // GIVEN the capture bucket's TLS deny rewritten to cover only s3://bucket/unused/*
    const { app, environments } = buildTestApp();
    const bucket = environments[0]!.platform.captureBucket;
    const cfnPolicy = bucket.policy!.node.defaultChild as s3.CfnBucketPolicy;
    const doc = bucket.stack.resolve(cfnPolicy.policyDocument) as { Statement: { Condition?: unknown }[] };
    const index = doc.Statement.findIndex((st) => JSON.stringify(st.Condition ?? {}).includes('aws:SecureTransport'));
    expect(index).toBeGreaterThanOrEqual(0);
    cfnPolicy.addPropertyOverride(`PolicyDocument.Statement.${index}.Resource`, [`${bucket.bucketArn}/unused/*`]);
    // WHEN synthesized
    const { report, error } = synthReport(app);
    // THEN
    expect(error).toBeDefined();
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MLOPS-BUCKET-2 @ staging\/Platform\/CaptureBucket\/Resource\/Resource$/),
      ]),
    );
  });

  test('fails on each hole of issue #23, each named at its resource (MLOPS-IAM-2, BUCKET-5, KMS-2, IMG-3, EVENTS-1)', () => {
    // GIVEN the default app with five insecure changes, one per new rule
    const { app, environments } = buildTestApp();
    const env = environments[0]!;
    const gate = env.platform.pipelineGateRole!.node.defaultChild as iam.CfnRole;
    // (arrays replace, objects merge: the whole statement list is overridden)
    gate.addPropertyOverride('AssumeRolePolicyDocument.Statement', [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringLike: { 'aws:PrincipalArn': '*' } },
      },
    ]);
    env.platform.captureBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [env.platform.captureBucket.arnForObjects('*')],
        conditions: { Bool: { 'aws:SecureTransport': 'true' } },
      }),
    );
    env.platform.captureKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.AccountPrincipal('999988887777')],
        actions: ['kms:Decrypt', 'kms:CreateGrant'],
        resources: ['*'],
      }),
    );
    const model = env.modelStacks[0]!.endpoint.model as sagemaker.CfnModel;
    model.addPropertyOverride('PrimaryContainer.Image', '999988887777.dkr.ecr.eu-west-1.amazonaws.com/model:latest');
    const rule = env.modelStacks[0]!.node.findAll().find((c) => c.node.id === 'CaptureObjectCreated')!;
    (rule.node.defaultChild as CfnResource).addPropertyOverride(
      'Targets.0.Arn',
      'arn:aws:events:eu-west-1:999988887777:event-bus/default',
    );
    // WHEN synthesized
    const { report, error } = synthReport(app);
    // THEN synth fails with each rule at its resource
    expect(error).toBeDefined();
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MLOPS-IAM-2 @ staging\/Platform\/PipelineGateRole\/Resource$/),
        expect.stringMatching(/^MLOPS-BUCKET-5 @ staging\/Platform\/CaptureBucket\/Resource\/Resource$/),
        expect.stringMatching(/^MLOPS-KMS-2 @ staging\/Platform\/CaptureKey\/Resource$/),
        expect.stringMatching(/^MLOPS-IMG-3 @ staging\/Model-fraud-xgb\/Endpoint\/Model$/),
        expect.stringMatching(
          /^MLOPS-EVENTS-1 @ staging\/Model-fraud-xgb\/DriftMonitor\/CaptureObjectCreated\/Resource$/,
        ),
      ]),
    );
  });

  test('fails on the scanner-comparison holes of issue #23 at their resources (MLOPS-KMS-3, BUCKET-7, ECR-5)', () => {
    // GIVEN the default app with a key that stops rotating, a public-read capture bucket, an open repository
    const { app, environments } = buildTestApp();
    const env = environments[0]!;
    (env.platform.captureKey.node.defaultChild as CfnResource).addPropertyOverride('EnableKeyRotation', false);
    (env.platform.captureBucket.node.defaultChild as CfnResource).addPropertyOverride('AccessControl', 'PublicRead');
    const [repository] = [...env.platform.repositories.values()];
    repository!.repository.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['ecr:BatchGetImage'] }),
    );
    // WHEN synthesized
    const { report, error } = synthReport(app);
    // THEN synth fails with each rule at its resource
    expect(error).toBeDefined();
    expect(unacknowledged(report)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MLOPS-KMS-3 @ staging\/Platform\/CaptureKey\/Resource$/),
        expect.stringMatching(/^MLOPS-BUCKET-7 @ staging\/Platform\/CaptureBucket\/Resource\/Resource$/),
        expect.stringMatching(/^MLOPS-ECR-5 @ staging\/Platform\/Repository-fraudxgb\/Resource\/Resource$/),
      ]),
    );
  });

  test('no acknowledgement of a "*" finding can absorb a statement added later', () => {
    // GIVEN every construct that carries an acknowledgement of a finding on "*"
    const { app } = buildTestApp(largeConfigDocument());
    const wildcardAcks = recordedAcknowledgements(app).filter((a) => /\[Resource::\*\]$/.test(a.id));
    expect(wildcardAcks.length).toBeGreaterThan(0);
    const policies = new Map<string, iam.ManagedPolicy>();
    for (const a of wildcardAcks) {
      const scope = app.node.findAll().find((c: IConstruct) => c.node.path === a.path);
      expect(scope).toBeInstanceOf(iam.ManagedPolicy);
      policies.set(a.path, scope as iam.ManagedPolicy);
    }
    // WHEN a data-plane read on "*" is added to each of them
    for (const p of policies.values()) p.addStatements(readCapture());
    const { report, error } = synthReport(app);
    // THEN each one fails synth with its own open finding
    expect(error).toBeDefined();
    const open = unacknowledged(report);
    for (const path of policies.keys()) {
      expect(open).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^MLOPS-IAM-1 @ ${path}(/|$)`))]));
    }
  });
});

describe('the drift detector reads personal data: inside the VPC wherever there is one', () => {
  test('runs in the configured subnets with S3 and KMS endpoints, and nothing acknowledges LambdaInsideVPC', () => {
    // GIVEN the larger config, whose staging environment has a VPC with its id and route tables
    const { app, environments } = buildTestApp(largeConfigDocument());
    const env = environments.find((e) => e.platform.node.tryFindChild('VpcEndpoints') !== undefined)!;
    const stack = env.modelStacks.find((m) => m.driftMonitor !== undefined)!;
    // WHEN synthesized
    const model = Template.fromStack(stack);
    const platform = Template.fromStack(env.platform);
    // THEN the detector function has a VpcConfig with the configured subnets
    model.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Drift and fairness detector'),
      VpcConfig: { SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'] },
    });
    // AND the platform creates the S3 gateway and the KMS interface endpoint (metrics leave as EMF log lines: no CloudWatch endpoint)
    const services = Object.values(platform.findResources('AWS::EC2::VPCEndpoint')).map(
      (r) =>
        `${(r.Properties as { VpcEndpointType: string }).VpcEndpointType} ${JSON.stringify((r.Properties as { ServiceName: unknown }).ServiceName)}`,
    );
    expect(services.sort()).toEqual([
      'Gateway "com.amazonaws.eu-west-1.s3"',
      'Interface "com.amazonaws.eu-west-1.kms"',
    ]);
    // AND no LambdaInsideVPC acknowledgement exists in a VPC environment's model stacks
    const inVpc = recordedAcknowledgements(app).filter(
      (a) =>
        a.path.startsWith(`${stack.node.path}/`) &&
        a.id.endsWith('-LambdaInsideVPC') &&
        a.path.includes('DriftMonitor'),
    );
    expect(inVpc).toEqual([]);
  });

  test('without a VPC the acknowledgement says so, and only then', () => {
    // GIVEN the default config (no VPC)
    const { app } = buildTestApp();
    // WHEN its acknowledgements are listed
    const acks = recordedAcknowledgements(app).filter(
      (a) => a.id.endsWith('-LambdaInsideVPC') && a.path.includes('DriftMonitor'),
    );
    // THEN one per pack and detector, each stating there is no VPC
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.length % 3).toBe(0);
    for (const a of acks) expect(a.reason).toMatch(/has no VPC/);
  });
});
