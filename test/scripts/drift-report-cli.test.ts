/**
 * `npm run drift:report`: the same parser and accumulator as the detector, so the report's numbers are the
 * metrics the detector publishes for the same capture file — compared here exactly, not approximately.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EmfSink } from '../support/emf-sink';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../lambda/shared/logger';
import { makeHandler } from '../../lambda/drift-detector/handler';
import { DriftReport } from '../../lambda/drift-detector/report/model';
import { captureText } from '../../scripts/make-example-data';
import { FRAUD_DETECTOR_CONFIG } from '../support/fraud-fixtures';
import { runDriftReportCli } from '../../scripts/drift-report';
import { InputProblem } from '../../scripts/drift-report/inputs';
import { BaselineDocument } from '../../core/contracts/baseline';

const BASELINE_FILE = join(__dirname, '../../baselines/fraud-xgb.json');
const BASELINE: BaselineDocument = JSON.parse(readFileSync(BASELINE_FILE, 'utf8'));
const DRIFTED = `${captureText(3000, 202, { drifted: true })}not json\n${JSON.stringify({ captureData: {} })}\n`;

const s3 = mockClient(S3Client);

/** What the detector publishes for one capture file: metric name (and feature) -> value. */
async function detectorMetrics(text: string): Promise<Map<string, number>> {
  s3.reset();
  s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(text)]) }));
  const emf = new EmfSink();
  await makeHandler({
    s3: new S3Client({ region: 'eu-west-1' }),
    writeMetrics: emf.write,
    logger: memoryLogger(),
    config: FRAUD_DETECTOR_CONFIG,
    baseline: async () => BASELINE,
  })({ detail: { bucket: { name: 'c' }, object: { key: 'x.jsonl' } } });
  const data = emf.data();
  return new Map(
    data.map((d) => [
      [
        d.MetricName,
        ...(d.Dimensions ?? []).filter((x) => x.Name === 'Feature' || x.Name === 'Reason').map((x) => x.Value),
      ].join('/'),
      d.Value as number,
    ]),
  );
}

describe('npm run drift:report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-report-cli-'));
  const quiet = () => undefined;

  it('reports exactly the numbers the detector publishes for the same capture file', async () => {
    // GIVEN one drifted capture file with two unreadable lines
    const file = join(dir, 'drifted.jsonl');
    writeFileSync(file, DRIFTED);
    // WHEN the detector and the CLI read it
    const metrics = await detectorMetrics(DRIFTED);
    const run = await runDriftReportCli(
      ['--baseline', BASELINE_FILE, '--capture', file, '--json', '--out', join(dir, 'r.json')],
      quiet,
    );
    // THEN every published metric has its equal in the report (the JSON file, not only the returned object)
    const r = JSON.parse(readFileSync(run.out, 'utf8')) as DriftReport;
    const inReport = new Map<string, number>([
      ['SampleCount', r.summary.sampleCount],
      ['MalformedRecords', r.summary.malformedRecords],
      ...Object.entries(r.summary.malformedByReason).map(([k, v]) => [`MalformedRecords/${k}`, v] as const),
      ['MissingPredictions', r.summary.missingPredictions],
      ['FairnessGroupsExcluded', r.summary.fairnessGroupsExcluded],
      ['MaxFeaturePSI', Math.max(...r.features.map((f) => f.psi as number))],
      ['PredictionPSI', r.prediction?.psi as number],
      ['DisparateImpactRatio', r.fairness?.disparateImpactRatio as number],
      ['DemographicParityDifference', r.fairness?.demographicParityDifference as number],
      ...r.features.flatMap((f) => [
        [`FeaturePSI/${f.name}`, f.psi as number] as const,
        [`FeatureJSDistance/${f.name}`, f.jsDistance as number] as const,
        ...(f.type === 'numeric' ? [[`FeatureKS/${f.name}`, f.ks as number] as const] : []),
      ]),
    ]);
    expect([...metrics.keys()].sort()).toEqual([...inReport.keys()].sort());
    for (const [name, value] of metrics) expect([name, inReport.get(name)]).toEqual([name, value]);
    expect(r.summary.malformedRecords).toBe(2);
    expect(r.summary.skipped.reduce((a, s) => a + s.count, 0)).toBe(2);
    expect(run.exitCode).toBe(0);
    expect(r.summary.drifted).toBe(true);
  });

  it('reads a folder recursively, gzip included, and records the files and time range in the provenance', async () => {
    const folder = join(dir, 'capture');
    mkdirSync(join(folder, '2026', '01'), { recursive: true });
    writeFileSync(join(folder, 'a.jsonl'), captureText(300, 5));
    writeFileSync(join(folder, '2026', '01', 'b.jsonl.gz'), gzipSync(captureText(400, 6)));
    const lines: string[] = [];
    const run = await runDriftReportCli(
      ['--baseline', BASELINE_FILE, '--capture', folder, '--out', join(dir, 'f.html')],
      (s) => lines.push(s),
    );
    expect(run.report.summary.sampleCount).toBe(700);
    expect(run.report.provenance.captures).toEqual([join(folder, '2026', '01', 'b.jsonl.gz'), join(folder, 'a.jsonl')]);
    expect(run.report.provenance.timeRange).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:00.399Z',
    });
    expect(readFileSync(run.out, 'utf8')).toMatch(/^<!doctype html>/);
    expect(lines.join('')).toMatch(/wrote .*f\.html: .*700 records judged, 0 skipped/);
  });

  it('takes thresholds from the flags over the defaults', async () => {
    const file = join(dir, 'undrifted.jsonl');
    writeFileSync(file, captureText(2000, 101));
    const loose = await runDriftReportCli(
      ['--baseline', BASELINE_FILE, '--capture', file, '--out', join(dir, 'u.html')],
      quiet,
    );
    expect(loose.report.summary.drifted).toBe(false);
    expect(loose.report.thresholds.psi).toBe(0.2);
    const strict = await runDriftReportCli(
      [
        '--baseline',
        BASELINE_FILE,
        '--capture',
        file,
        '--out',
        join(dir, 'u.html'),
        '--psi',
        '0.001',
        '--min-samples',
        '10',
      ],
      quiet,
    );
    expect(strict.report.thresholds).toMatchObject({ psi: 0.001, minSamples: 10 });
    expect(strict.report.summary.drifted).toBe(true);
  });

  it('fails with a build hint when the baseline is missing', async () => {
    await expect(runDriftReportCli(['--baseline', join(dir, 'nope.json'), '--capture', dir], quiet)).rejects.toThrow(
      /--baseline .*nope\.json does not exist; build one with `npm run baseline/,
    );
  });

  it('rejects a file that is not a baseline, naming what is wrong', async () => {
    const notBaseline = join(dir, 'package.json');
    writeFileSync(notBaseline, '{"name":"x"}');
    await expect(runDriftReportCli(['--baseline', notBaseline, '--capture', dir], quiet)).rejects.toThrow(
      /kind is undefined, expected "mlops.drift-baseline".*npm run baseline/,
    );
  });

  it('fails (exit 1, report still written) when the baseline does not match the capture files', async () => {
    // GIVEN the credit-scoring baseline and fraud-xgb traffic
    const file = join(dir, 'fraud.jsonl');
    writeFileSync(file, captureText(300, 7));
    const lines: string[] = [];
    const run = await runDriftReportCli(
      [
        '--baseline',
        join(__dirname, '../fixtures/baselines/credit-scoring.json'),
        '--capture',
        file,
        '--out',
        join(dir, 'm.html'),
      ],
      (s) => lines.push(s),
    );
    expect(run.exitCode).toBe(1);
    expect(run.report.summary.sampleCount).toBe(0);
    expect(run.report.summary.skipped[0]).toEqual({
      reason: expect.stringMatching(/^feature "\w+" has a value that is not a (number|category)$/),
      count: 300,
    });
    expect(lines.join('')).toMatch(
      /no record could be read against .*credit-scoring\.json .*are these capture files from the endpoint this baseline was built for\?/,
    );
  });

  it('rejects unknown flags and bad threshold values, naming the known options', async () => {
    await expect(runDriftReportCli(['--baseline', BASELINE_FILE, '--capture', dir, '--bogus'], quiet)).rejects.toThrow(
      /unknown option "--bogus" \(known options: --help, --baseline, --capture, /,
    );
    await expect(runDriftReportCli(['--baseline', BASELINE_FILE, '--captures', dir], quiet)).rejects.toThrow(
      /unknown option "--captures"; did you mean "--capture"\?/,
    );
    await expect(
      runDriftReportCli(['--baseline', BASELINE_FILE, '--capture', dir, '--psi', 'high'], quiet),
    ).rejects.toThrow('--psi must be a number >= 0, got "high"');
    await expect(runDriftReportCli(['--capture', dir], quiet)).rejects.toThrow(/--baseline is required/);
    await expect(
      runDriftReportCli(['--baseline', BASELINE_FILE, '--capture', join(dir, 'missing')], quiet),
    ).rejects.toThrow(InputProblem);
  });

  it('as a command, exits 2 on a missing baseline with the message alone', () => {
    const r = spawnSync(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        join(__dirname, '../../scripts/drift-report.ts'),
        '--baseline',
        join(dir, 'nope.json'),
        '--capture',
        dir,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^drift:report: --baseline .*nope\.json does not exist; build one with `npm run baseline/);
    expect(r.stderr).not.toContain('--help');
  });
});
