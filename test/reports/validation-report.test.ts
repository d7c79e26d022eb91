import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { testContext } from '../support/app';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ValidationReportError,
  assemblyLocator,
  buildSecurityReport,
  parseValidationReport,
  readValidationReport,
} from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';

describe('validation report reader', () => {
  test('flattens open and acknowledged findings, open first, one per construct', () => {
    // GIVEN / WHEN
    const report = buildSecurityReport(parseValidationReport(sample));

    // THEN
    expect(report.findings.map((f) => [f.status, f.pack, f.findingId])).toEqual([
      ['open', 'AwsSolutions', 'AwsSolutions-IAM5[Resource::*]'],
      ['open', 'Serverless', 'Serverless-LambdaDLQ'],
      ['open', 'Serverless', 'Serverless-LambdaTracing'],
      ['acknowledged', 'AwsSolutions', 'AwsSolutions-S1'],
      ['acknowledged', 'MLOPS', 'MLOPS-BUCKET-1'],
    ]);
    expect(report.findings[0]).toMatchObject({
      ruleId: 'AwsSolutions-IAM5',
      severity: 'error',
      constructPath: 'staging/Model/Endpoint/Role/Resource',
    });
    expect(report.findings[3]).toMatchObject({
      status: 'acknowledged',
      reason: expect.stringContaining('<script>'),
      acknowledgedAt: 'staging/Platform/AccessLogs|Bucket',
    });
  });

  test('enriches MLOPS findings from the catalogue and keeps CloudFormation locations', () => {
    const mlops = buildSecurityReport(parseValidationReport(sample)).findings.find((f) => f.pack === 'MLOPS');

    expect(mlops).toMatchObject({
      catalogueSeverity: 'MEDIUM',
      location: { templatePath: 'stagingPlatform.template.json', logicalId: 'ReportsBucketABC123' },
    });
  });

  test('summarizes every known pack, also those the report leaves out', () => {
    const { packs } = buildSecurityReport(parseValidationReport(sample));

    expect(packs).toEqual([
      { pack: 'AwsSolutions', conclusion: 'failure', open: 1, acknowledged: 1 },
      { pack: 'Serverless', conclusion: 'failure', open: 2, acknowledged: 0 },
      { pack: 'MLOPS', conclusion: 'success', open: 0, acknowledged: 1 },
      { pack: 'HIPAA.Security', conclusion: 'absent', open: 0, acknowledged: 0 },
      { pack: 'NIST.800.53.R5', conclusion: 'absent', open: 0, acknowledged: 0 },
      { pack: 'PCI.DSS.321', conclusion: 'absent', open: 0, acknowledged: 0 },
    ]);
  });

  test('strips a namespace the pack put on the rule name', () => {
    const raw = {
      version: '1',
      pluginReports: [
        {
          pluginName: 'MLOPS',
          conclusion: 'failure',
          violations: [
            {
              ruleName: 'MLOPS::MLOPS-SM-1',
              description: 'd',
              severity: 'error',
              violatingConstructs: [{ constructPath: 'a/b' }],
            },
          ],
        },
      ],
    };
    expect(buildSecurityReport(parseValidationReport(raw)).findings[0]).toMatchObject({
      ruleId: 'MLOPS-SM-1',
      catalogueSeverity: 'HIGH',
    });
  });

  test('rejects a malformed report, naming the field', () => {
    // GIVEN
    const bad = JSON.parse(JSON.stringify(sample));
    bad.pluginReports[1].conclusion = 'maybe';
    delete bad.pluginReports[0].violations[0].violatingConstructs[0].constructPath;

    // WHEN / THEN
    expect(() => parseValidationReport(bad, 'x.json')).toThrow(ValidationReportError);
    expect(() => parseValidationReport(bad, 'x.json')).toThrow(/x\.json is not a CDK validation report/);
    expect(() => parseValidationReport(bad)).toThrow(/pluginReports\[1\]\.conclusion/);
    expect(() => parseValidationReport(bad)).toThrow(
      /pluginReports\[0\]\.violations\[0\]\.violatingConstructs\[0\]\.constructPath/,
    );
    expect(() => parseValidationReport({ title: 'old format' })).toThrow(/version.*\n.*pluginReports/s);
  });

  test('rejects a missing or non-JSON file, telling to run cdk synth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    expect(() => readValidationReport(dir)).toThrow(/not found; run `npx cdk synth` first/);
    writeFileSync(join(dir, 'validation-report.json'), '{ "version": ');
    expect(() => readValidationReport(dir)).toThrow(/is not valid JSON/);
  });
});

describe('assemblyLocator', () => {
  test('maps construct paths to template, logical id, line and stack, in top-level and nested stage stacks', () => {
    // GIVEN an app with a top-level stack and a stack inside a stage (how a pipeline nests environments)
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'assembly-')), context: testContext() });
    new s3.Bucket(new Stack(app, 'Top'), 'Bucket');
    new s3.Bucket(new Stack(new Stage(app, 'staging'), 'Platform'), 'Bucket');
    const dir = app.synth().directory;

    // WHEN
    const locate = assemblyLocator(dir);

    // THEN
    const top = locate('Top/Bucket/Resource');
    expect(top).toMatchObject({
      templatePath: 'Top.template.json',
      stack: 'Top',
      logicalId: expect.stringMatching(/^Bucket/),
    });
    const nested = locate('staging/Platform/Bucket/Resource')!;
    expect(nested).toMatchObject({
      templatePath: expect.stringMatching(/^assembly-staging\/stagingPlatform\w+\.template\.json$/),
      stack: 'staging/Platform',
    });
    const lines = readFileSync(join(dir, nested.templatePath), 'utf8').split('\n');
    expect(lines[nested.line! - 1]).toContain(`"${nested.logicalId}": {`);
    expect(locate('Top/Missing')).toBeUndefined();
    expect(assemblyLocator(join(dir, 'nope'))('Top/Bucket/Resource')).toBeUndefined();
  });
});
