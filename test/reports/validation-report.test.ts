import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
  test('maps construct paths to template, logical id and line via the stack metadata', () => {
    // GIVEN a minimal cloud assembly
    const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          Stack: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'Stack.template.json' },
            additionalMetadataFile: 'Stack.metadata.json',
          },
          Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
        },
      }),
    );
    writeFileSync(
      join(dir, 'Stack.metadata.json'),
      JSON.stringify({ '/Stack/Bucket/Resource': [{ type: 'aws:cdk:logicalId', data: 'BucketX' }] }),
    );
    writeFileSync(
      join(dir, 'Stack.template.json'),
      JSON.stringify({ Resources: { Other: {}, BucketX: { Type: 'AWS::S3::Bucket' } } }, null, 1),
    );

    // WHEN
    const locate = assemblyLocator(dir);

    // THEN
    expect(locate('Stack/Bucket/Resource')).toEqual({
      templatePath: 'Stack.template.json',
      logicalId: 'BucketX',
      line: 4,
    });
    expect(locate('Stack/Missing')).toBeUndefined();
    expect(assemblyLocator(join(dir, 'nope'))('Stack/Bucket/Resource')).toBeUndefined();
  });
});
