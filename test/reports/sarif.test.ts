import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SARIF_SCHEMA, toSarif } from '../../lib/reports/sarif';
import { buildSecurityReport, parseValidationReport, sourceFromStackTrace } from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';

const report = buildSecurityReport(parseValidationReport(sample));
// The fixture's stack traces were recorded in /work/main: that is the repository root of this run.
const sarif = toSarif(report, { assemblyDir: '/work/main/cdk.out', baseDir: '/work/main' });
const run = (pack: string, log = sarif) => log.runs.find((r) => r.tool.driver.name === pack)!;
const allResults = (log = sarif) => log.runs.flatMap((r) => r.results);

describe('SARIF', () => {
  test('is a SARIF 2.1.0 log with one run per pack', () => {
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs.map((r) => r.tool.driver.name)).toEqual(report.packs.map((p) => p.pack));
    // A pack without findings still gets an (empty) run, so code scanning closes its old alerts.
    expect(run('HIPAA.Security').results).toEqual([]);
  });

  test('holds open findings only, at the levels the packs reported', () => {
    // GIVEN a report with 3 open and 2 acknowledged findings
    // THEN only the open ones are results: GitHub ignores suppressions and would open an alert for each
    expect(allResults()).toHaveLength(3);
    expect(allResults().every((r) => r.properties.status === 'open')).toBe(true);
    expect(JSON.stringify(sarif)).not.toContain('suppressions');
    const levels = Object.fromEntries(run('Serverless').results.map((r) => [r.ruleId, r.level]));
    expect(levels).toEqual({ 'Serverless-LambdaTracing': 'warning', 'Serverless-LambdaDLQ': 'note' });
    expect(run('AwsSolutions').results.map((r) => r.level)).toEqual(['error']);
    expect(run('MLOPS').results).toEqual([]);
  });

  test('adds acknowledged findings at level note with their reason only when asked', () => {
    // WHEN acknowledged findings are requested as notes
    const withNotes = toSarif(report, { baseDir: '/work/main', acknowledged: 'note' });
    const acked = allResults(withNotes).filter((r) => r.properties.status === 'acknowledged');
    // THEN they are notes, never errors or warnings, and carry the reason
    expect(acked.map((r) => r.level)).toEqual(['note', 'note']);
    expect(acked[0]!.message.text).toContain('Acknowledged: It is the access-log bucket');
    // AND each points at the line where the acknowledgement is written
    expect(acked[0]!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'lib/stacks/platform-stack.ts' },
      region: { startLine: 80, startColumn: 5 },
    });
  });

  test('points every result at a tracked file and line: the construct source, else the config file', () => {
    // GIVEN the IAM5 finding, whose construct stack trace is in lib/constructs/model-endpoint.ts:154
    const [iam5] = run('AwsSolutions').results;
    expect(iam5!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'lib/constructs/model-endpoint.ts' },
      region: { startLine: 154, startColumn: 20 },
    });
    // AND findings without a stack trace point at the config file
    for (const r of run('Serverless').results) {
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toBe('cdk.json');
      expect(r.locations[0]!.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
    // AND no location points into the git-ignored cdk.out/
    for (const r of allResults()) expect(r.locations[0]!.physicalLocation.artifactLocation.uri).not.toMatch(/cdk\.out/);
  });

  test('locates a model stack finding without a stack trace at the model entry of the config file', () => {
    // GIVEN a config file with the model fraud-xgb on line 4
    const dir = mkdtempSync(join(tmpdir(), 'sarif-config-'));
    writeFileSync(join(dir, 'config.json'), '{\n  "models": [\n    {\n      "name": "fraud-xgb"\n    }\n  ]\n}\n');
    const modelReport = parseValidationReport({
      version: '55.0.0',
      pluginReports: [
        {
          pluginName: 'MLOPS',
          conclusion: 'failure',
          violations: [
            {
              ruleName: 'MLOPS-SM-2',
              description: 'no isolation',
              severity: 'error',
              violatingConstructs: [{ constructPath: 'staging/Model-fraud-xgb/Endpoint/Model' }],
            },
          ],
        },
      ],
    });
    // WHEN
    const log = toSarif(buildSecurityReport(modelReport), { baseDir: dir, configFile: 'config.json' });
    // THEN
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'config.json' },
      region: { startLine: 4 },
    });
  });

  test('keeps the construct and its template resource as logical location and property', () => {
    const log = toSarif(report, { assemblyDir: '/work/main/cdk.out', baseDir: '/work/main', acknowledged: 'note' });
    const bucket = run('MLOPS', log).results[0]!;
    expect(bucket.properties.template).toBe('cdk.out/stagingPlatform.template.json#ReportsBucketABC123');
    expect(bucket.locations[0]!.logicalLocations[0]).toEqual({
      name: 'Resource',
      fullyQualifiedName: 'staging/Platform/ReportsBucket/Resource',
      kind: 'resource',
    });
  });

  test('gives every rule help text and a security-severity, and MLOPS rules their catalogue entry', () => {
    const log = toSarif(report, { baseDir: '/work/main', acknowledged: 'note' });
    for (const r of log.runs.flatMap((x) => x.tool.driver.rules)) {
      expect(r.help.text.length).toBeGreaterThan(20);
      expect(Number(r.properties['security-severity'])).toBeGreaterThan(0);
    }
    expect(run('MLOPS', log).tool.driver.rules[0]).toMatchObject({
      id: 'MLOPS-BUCKET-1',
      shortDescription: { text: 'Buckets log access to an access-log bucket' },
      help: { text: expect.stringContaining('Remediation:') },
      helpUri: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html',
      properties: {
        tags: expect.arrayContaining(['security', 'MLOPS', 'NIST-800-53 AU-2']),
        'security-severity': '5.5',
      },
    });
    expect(run('AwsSolutions').tool.driver.rules[0]!.properties['security-severity']).toBe('7.5');
  });

  test('fingerprints a finding by pack, finding and construct: stable when code lines move', () => {
    // GIVEN the same report with the construct created ten lines further down
    const moved = structuredClone(sample);
    (moved.pluginReports[0]!.violations[0]!.violatingConstructs[0] as any).stackTraces = [
      'new ModelEndpoint (/work/main/lib/constructs/model-endpoint.ts:164:20)',
    ];
    const again = toSarif(buildSecurityReport(parseValidationReport(moved)), { baseDir: '/work/main' });
    // THEN the line changes but the fingerprint does not
    const [before, after] = [run('AwsSolutions').results[0]!, run('AwsSolutions', again).results[0]!];
    expect(after.locations[0]!.physicalLocation.region.startLine).toBe(164);
    expect(after.partialFingerprints).toEqual(before.partialFingerprints);
    expect(before.partialFingerprints['cdkFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
    // AND GitHub's own line hash is left for the upload action to compute
    expect(before.partialFingerprints).not.toHaveProperty('primaryLocationLineHash');
  });

  test('reads source frames past CDK-collapsed and node_modules frames, and past the acknowledge() helper', () => {
    const trace =
      '...new ManagedPolicy2 in aws-cdk-lib...\nnew X (/r/node_modules/y/z.js:1:2)\nnew ComplianceChecker (/r/lib/constructs/c.ts:253:20)';
    expect(sourceFromStackTrace(trace)).toEqual({ file: '/r/lib/constructs/c.ts', line: 253, column: 20 });
    const [acked] = report.findings.filter((f) => f.status === 'acknowledged');
    expect(acked!.acknowledgedIn).toEqual({ file: '/work/main/lib/stacks/platform-stack.ts', line: 80, column: 5 });
  });

  test('serializes to JSON without losing fields', () => {
    expect(JSON.parse(JSON.stringify(sarif))).toEqual(sarif);
  });
});
