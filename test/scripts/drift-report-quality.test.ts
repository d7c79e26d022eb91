/**
 * `npm run drift:report -- --ground-truth`: the JSON `quality` object, every number equal to scikit-learn's on the
 * same labels and predictions, and every label that joins nothing counted exactly, by reason.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DriftReport } from '../../lambda/drift-detector/report/model';
import {
  exampleEventId,
  groundTruthLine,
  groundTruthText,
  scoredCaptureText,
  trainingRecords,
} from '../../scripts/make-example-data';
import { runDriftReportCli } from '../../scripts/drift-report';
import { InputProblem } from '../../scripts/drift-report/inputs';
import { sklearnReference } from '../support/sklearn';

const ROOT = join(__dirname, '../..');
const BASELINE_FILE = join(ROOT, 'baselines/fraud-xgb.json');
const CONFIG = join(ROOT, 'cdk.json');

describe('npm run drift:report -- --ground-truth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-report-quality-'));
  const quiet = () => undefined;
  // GIVEN 4,000 predictions of the reference model (label and score) in two capture files
  const records = trainingRecords(4000, 301);
  const captureDir = join(dir, 'capture');
  mkdirSync(captureDir);
  const captureLines = scoredCaptureText(records).trim().split('\n');
  writeFileSync(join(captureDir, 'a.jsonl'), `${captureLines.slice(0, 2500).join('\n')}\n`);
  writeFileSync(join(captureDir, 'b.jsonl.gz'), gzipSync(`${captureLines.slice(2500).join('\n')}\n`));
  // AND their labels in two ground-truth files (one gzipped), 15% never arriving, plus bad labels of every kind
  const gtDir = join(dir, 'ground-truth');
  mkdirSync(join(gtDir, '2026/01/02'), { recursive: true });
  const gtLines = groundTruthText(records, 302, { missingShare: 0.15 }).trim().split('\n');
  const labelled = new Map(
    gtLines.map((l) => {
      const d = JSON.parse(l) as { eventMetadata: { eventId: string }; groundTruthData: { data: string } };
      return [d.eventMetadata.eventId, Number(d.groundTruthData.data)] as const;
    }),
  );
  const firstLabelled = [...labelled.keys()].slice(0, 3);
  const unlabelled = records.map((_, i) => exampleEventId(i)).find((id) => !labelled.has(id)) as string;
  const bad = [
    groundTruthLine('unknown-1', 1),
    groundTruthLine('unknown-2', 0),
    groundTruthLine('unknown-3', 1),
    ...firstLabelled.map((id) => groundTruthLine(id, 1 - (labelled.get(id) as number))),
    'id,label',
    groundTruthLine(unlabelled, 2),
  ];
  writeFileSync(join(gtDir, '2026/01/02/labels-1.jsonl'), `${gtLines.slice(0, 2000).join('\n')}\n`);
  writeFileSync(
    join(gtDir, '2026/01/02/labels-2.jsonl.gz'),
    gzipSync(`${[...gtLines.slice(2000), ...bad].join('\n')}\n`),
  );
  /** The command line over these captures and labels, then `more`. */
  const labelledRun = (...more: string[]) => [
    '--baseline',
    BASELINE_FILE,
    '--capture',
    captureDir,
    '--ground-truth',
    gtDir,
    ...more,
  ];

  it('adds a quality object whose every number equals scikit-learn, and counts every unjoined label', async () => {
    // WHEN
    const out = join(dir, 'r.json');
    const run = await runDriftReportCli(
      labelledRun('--json', '--out', out, '--config', CONFIG, '--model', 'fraud-xgb'),
      quiet,
    );
    expect(run.exitCode).toBe(0);
    const q = (JSON.parse(readFileSync(out, 'utf8')) as DriftReport).quality!;
    // THEN the counts are exact
    expect(q.labelled).toBe(labelled.size);
    expect(q.predictionsWithoutLabel).toBe(4000 - labelled.size);
    expect(q.unmatchedLabelsByReason).toEqual({
      'unknown-id': 3,
      expired: 0,
      duplicate: 3,
      unreadable: 1,
      'invalid-label': 1,
    });
    expect(q.unmatchedLabels).toBe(8);
    expect(q.unmatchedLabelExamples['invalid-label']).toMatch(/labels-2\.jsonl\.gz:\d+: label "2" for/);
    // AND every metric, group rate and fairness difference is scikit-learn's (to 1e-12)
    const idx = records.map((_, i) => i).filter((i) => labelled.has(exampleEventId(i)));
    const [ref] = sklearnReference([
      {
        kind: 'binary',
        truth: idx.map((i) => labelled.get(exampleEventId(i)) as number),
        predicted: idx.map((i) => records[i]!.label),
        scores: idx.map((i) => records[i]!.score),
        groups: idx.map((i) => records[i]!.gender),
      },
    ]);
    const close = (a: number | null | undefined, b: number) =>
      expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(1e-12);
    for (const key of ['accuracy', 'precision', 'recall', 'f1', 'falsePositiveRate', 'rocAuc'])
      close(q.metrics![key], ref![key]);
    const judgedGroups = Object.entries(ref!.groups as Record<string, any>).filter(([, g]) => g.count >= 100);
    expect(Object.keys(q.groups)).toEqual(judgedGroups.map(([g]) => g));
    for (const [g, r] of judgedGroups)
      for (const key of ['count', 'truePositiveRate', 'falsePositiveRate', 'precision', 'accuracy'] as const)
        close(q.groups[g]![key], r[key]);
    expect(q.excludedGroups).toEqual(
      Object.fromEntries(
        Object.entries(ref!.groups as Record<string, any>)
          .filter(([, g]) => g.count < 100)
          .map(([g, r]) => [g, r.count]),
      ),
    );
    const spread = (k: string) =>
      Math.max(...judgedGroups.map(([, r]) => r[k])) - Math.min(...judgedGroups.map(([, r]) => r[k]));
    close(q.fairness!.equalOpportunityDifference, spread('truePositiveRate'));
    close(q.fairness!.equalizedOddsDifference, Math.max(spread('truePositiveRate'), spread('falsePositiveRate')));
    close(q.fairness!.predictiveParityDifference, spread('precision'));
  });

  it('adds a model-quality section to the HTML', async () => {
    const out = join(dir, 'r.html');
    await runDriftReportCli(labelledRun('--out', out), quiet);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<section id="quality"><h2>Model quality</h2>');
    expect(html).toContain('id="outcome-fairness"');
    expect(html).toMatch(/ROC AUC<\/td><td class="num">0\.\d{4}<\/td>/);
    expect(html).toMatch(/<p class="note" id="cbpe">Estimated from the scores alone \(CBPE, 4,000 predictions/);
  });

  it('computes no metric below --min-labelled, and says so', async () => {
    const lines: string[] = [];
    const run = await runDriftReportCli(
      labelledRun('--json', '--out', join(dir, 'few.json'), '--min-labelled', '100000'),
      (s) => lines.push(s),
    );
    expect(run.report.quality).toMatchObject({ judged: false, metrics: null, fairness: null, labelled: labelled.size });
    expect(lines.join('')).toMatch(/NOT JUDGED \(\d+ labelled, fewer than minLabelled 100000\)/);
  });

  it('rejects a label file in the wrong format, naming the file, the line and the format expected', async () => {
    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, 'event_id,label\nabc,1\n');
    await expect(
      runDriftReportCli(
        ['--baseline', BASELINE_FILE, '--capture', captureDir, '--ground-truth', csv, '--out', join(dir, 'x.html')],
        quiet,
      ),
    ).rejects.toThrow(
      /ground-truth file .*labels\.csv holds no ground-truth record: .*labels\.csv:1: the line is not JSON .*expected SageMaker's ground-truth format/,
    );
    await expect(
      runDriftReportCli(
        ['--baseline', BASELINE_FILE, '--capture', captureDir, '--ground-truth', join(dir, 'nope')],
        quiet,
      ),
    ).rejects.toThrow(InputProblem);
  });

  it('reports captured rows that cannot wait for a label, duplicates, and honours --min-group-size', async () => {
    // GIVEN one capture file read twice (duplicates) with a line whose output was not captured
    const noOutput = JSON.stringify({
      captureData: { endpointInput: { observedContentType: 'text/csv', data: '10,grocery,5,F', encoding: 'CSV' } },
      eventMetadata: { eventId: 'no-output-1' },
      eventVersion: '0',
    });
    const file = join(dir, 'dup.jsonl');
    writeFileSync(file, `${captureLines.slice(0, 300).join('\n')}\n${noOutput}\n`);
    // WHEN
    const run = await runDriftReportCli(
      [
        '--baseline',
        BASELINE_FILE,
        '--capture',
        file,
        '--capture',
        file,
        '--ground-truth',
        gtDir,
        '--json',
        '--out',
        join(dir, 'dup.json'),
        '--min-group-size',
        '5',
        '--min-labelled',
        '10',
      ],
      quiet,
    );
    // THEN
    const q = run.report.quality!;
    expect(q.predictionsSkippedByReason).toEqual({ 'no-output': 2 });
    expect(q.duplicatePredictions).toBe(300);
    expect(q.minGroupSize).toBe(5);
    // X (2% of the records) has a few labelled records: judged at 5 or more, left out below.
    const x = q.groups.X?.count ?? q.excludedGroups.X;
    expect(x).toBeGreaterThan(0);
    expect(x! >= 5 ? 'X' in q.groups : 'X' in q.excludedGroups).toBe(true);
  });

  it('exits 1 on an empty capture file, saying nothing was judged', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const lines: string[] = [];
    const run = await runDriftReportCli(
      ['--baseline', BASELINE_FILE, '--capture', empty, '--out', join(dir, 'e.html')],
      (s) => lines.push(s),
    );
    expect(run.exitCode).toBe(1);
    expect(lines.join('')).toMatch(/empty\.jsonl\) holds no record: nothing was judged/);
  });
});
