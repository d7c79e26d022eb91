import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { deadAcknowledgements, recordedAcknowledgements } from '../../lib/nag/audit';
import { ValidationReport } from '../../lib/reports/validation-report';
import { RULES } from '../../lib/policy/catalogue';
import { buildTestApp, defaultConfigDocument, largeConfigDocument } from '../helpers/app';

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
    expect(packs.map((p) => p.name).sort()).toEqual([
      'AwsSolutions',
      'HIPAA.Security',
      'MLOPS',
      'NIST.800.53.R5',
      'PCI.DSS.321',
      'Serverless',
    ]);
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
      expect(a.id).toMatch(/^(AwsSolutions|HIPAA\.Security|NIST\.800\.53\.R5|PCI\.DSS\.321|Serverless|MLOPS)::/);
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
