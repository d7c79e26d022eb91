import { join } from 'node:path';
import { SARIF_SCHEMA, toSarif } from '../../lib/reports/sarif';
import { buildSecurityReport, parseValidationReport } from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';

const report = buildSecurityReport(parseValidationReport(sample));
const sarif = toSarif(report, { assemblyDir: '/repo/cdk.out', baseDir: '/repo' });
const run = (pack: string) => sarif.runs.find((r) => r.tool.driver.name === pack)!;

describe('SARIF', () => {
  test('is a SARIF 2.1.0 log with one run per pack', () => {
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs.map((r) => r.tool.driver.name)).toEqual(report.packs.map((p) => p.pack));
    // A pack without findings still gets an (empty) run, so code scanning closes its old alerts.
    expect(run('HIPAA.Security').results).toEqual([]);
  });

  test('maps severities to levels', () => {
    const levels = Object.fromEntries(run('Serverless').results.map((r) => [r.ruleId, r.level]));
    expect(levels).toEqual({ 'Serverless-LambdaTracing': 'warning', 'Serverless-LambdaDLQ': 'note' });
    expect(run('AwsSolutions').results.map((r) => r.level)).toEqual(['error', 'error']);
  });

  test('marks acknowledged findings as accepted external suppressions with the reason', () => {
    const [open, acked] = run('AwsSolutions').results;
    expect(open!.suppressions).toBeUndefined();
    expect(acked!.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: expect.stringContaining('access-log bucket <script>') },
    ]);
    expect(acked!.properties).toEqual({ acknowledgedAt: 'staging/Platform/AccessLogs|Bucket' });
  });

  test('points results at their rule and construct', () => {
    const aws = run('AwsSolutions');
    for (const r of aws.results) expect(aws.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(aws.results[0]!.ruleId).toBe('AwsSolutions-IAM5');
    expect(aws.results[0]!.message.text).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(aws.results[0]!.locations[0]!.logicalLocations[0]).toEqual({
      name: 'Resource',
      fullyQualifiedName: 'staging/Model/Endpoint/Role/Resource',
      kind: 'resource',
    });
    expect(aws.results[0]!.locations[0]!.physicalLocation).toBeUndefined();
    expect(aws.results[0]!.partialFingerprints['cdkFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
  });

  test('describes MLOPS rules from the catalogue, with a template location', () => {
    const mlops = run('MLOPS');
    expect(mlops.tool.driver.rules[0]).toMatchObject({
      id: 'MLOPS-BUCKET-1',
      shortDescription: { text: 'Buckets log access to an access-log bucket' },
      helpUri: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html',
      properties: {
        tags: expect.arrayContaining(['security', 'MLOPS', 'NIST-800-53 AU-2']),
        'security-severity': '5.5',
      },
    });
    expect(mlops.results[0]!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: join('cdk.out', 'stagingPlatform.template.json').split('\\').join('/') },
    });
  });

  test('serializes to JSON without losing fields', () => {
    expect(JSON.parse(JSON.stringify(sarif))).toEqual(sarif);
  });
});
