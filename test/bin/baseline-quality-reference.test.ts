/**
 * `npm run baseline -- --label-column ...`: model-quality reference values from a labelled validation set, equal to
 * scikit-learn's on the same labels, predictions and scores; unusable labels reported by line and left out.
 */
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineDataError, UsageError, runBaselineCli } from '../../bin/baseline';
import { sklearnReference } from '../support/sklearn';

const dir = mkdtempSync(join(tmpdir(), 'baseline-quality-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const FEATURES = ['--features', 'amount:numeric,segment:categorical', '--min-records', '10'];

/** A seeded generator: the data differs per case but every run sees the same. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Row {
  amount: number;
  segment: string;
  label: number;
  prediction: number;
  score: number;
}

function binaryRows(n: number, seed: number): Row[] {
  const r = random(seed);
  return Array.from({ length: n }, () => {
    // Scores on a coarse grid, so ties occur (ROC AUC counts them one half, as scikit-learn does)
    const score = Math.round(r() * 50) / 50;
    const label = r() < score ? 1 : 0;
    return {
      amount: Math.round(r() * 1000),
      segment: r() < 0.5 ? 'a' : 'b',
      label,
      prediction: score >= 0.5 ? 1 : 0,
      score,
    };
  });
}

const csv = (rows: readonly Row[], extra = '') =>
  'amount,segment,label,prediction,score\n' +
  rows.map((x) => `${x.amount},${x.segment},${x.label},${x.prediction},${x.score}`).join('\n') +
  '\n' +
  extra;

describe('baseline CLI: quality reference from a labelled validation set', () => {
  test.each([
    [101, 400],
    [7, 1000],
  ])('binary (seed %d, %d records): every reference value is scikit-learn’s', async (seed, n) => {
    // GIVEN a labelled validation set with the model's predictions and scores
    const rows = binaryRows(n, seed);
    const input = write(`binary-${seed}.csv`, csv(rows));
    const output = join(dir, `binary-${seed}.json`);
    // WHEN the baseline is built with --label-column and --score-column
    const run = await runBaselineCli(
      [...FEATURES, '--input', input, '--output', output, '--prediction-column', 'prediction'].concat([
        '--label-column',
        'label',
        '--score-column',
        'score',
        '--quiet',
      ]),
      () => undefined,
    );
    // THEN the reference file holds scikit-learn's values for the same records, to floating-point error
    expect(run.qualityOutput).toBe(join(dir, `binary-${seed}.quality-reference.json`));
    const doc = JSON.parse(readFileSync(run.qualityOutput!, 'utf8')) as {
      labelled: number;
      problemType: string;
      reference: Record<string, number>;
    };
    const [expected] = sklearnReference([
      {
        kind: 'binary',
        truth: rows.map((x) => x.label),
        predicted: rows.map((x) => x.prediction),
        scores: rows.map((x) => x.score),
      },
    ]);
    expect(doc.labelled).toBe(n);
    expect(doc.problemType).toBe('binary-classification');
    expect(Object.keys(doc.reference).sort()).toEqual(Object.keys(expected!).sort());
    for (const [metric, value] of Object.entries(expected!))
      expect({ metric, value: doc.reference[metric] }).toEqual({ metric, value: expect.closeTo(value, 12) });
    // AND the drift baseline is written as before, from every record
    expect(run.document.recordCount).toBe(n);
  });

  test('regression: MAE, RMSE and R² are scikit-learn’s; no score column allowed', async () => {
    const r = random(3);
    const rows = Array.from({ length: 300 }, () => {
      const label = r() * 100;
      return { amount: Math.round(r() * 10), segment: 'a', label, prediction: label + (r() - 0.5) * 20, score: 0 };
    });
    const input = write('regression.csv', csv(rows));
    const args = [
      ...FEATURES,
      '--input',
      input,
      '--output',
      join(dir, 'reg.json'),
      '--prediction-column',
      'prediction',
    ];
    const run = await runBaselineCli(
      [...args, '--label-column', 'label', '--problem-type', 'regression', '--quality-output', join(dir, 'q.json')],
      () => undefined,
    );
    const doc = JSON.parse(readFileSync(join(dir, 'q.json'), 'utf8')) as { reference: Record<string, number> };
    expect(run.qualityOutput).toBe(join(dir, 'q.json'));
    const [expected] = sklearnReference([
      { kind: 'regression', truth: rows.map((x) => x.label), predicted: rows.map((x) => x.prediction) },
    ]);
    for (const metric of ['mae', 'rmse', 'r2'])
      expect({ metric, value: doc.reference[metric] }).toEqual({
        metric,
        value: expect.closeTo(expected![metric], 12),
      });
    await expect(
      runBaselineCli([...args, '--label-column', 'label', '--problem-type', 'regression', '--score-column', 'score']),
    ).rejects.toThrow(/--score-column is for binary-classification/);
  });

  test('a label that is neither class is named by line and left out; too many of them fail and write nothing', async () => {
    // GIVEN 200 good records and one labelled "2" (line 202)
    const rows = binaryRows(200, 11);
    const input = write('bad-label.csv', csv(rows, '5,a,2,1,0.9\n'));
    const err: string[] = [];
    const run = await runBaselineCli(
      [...FEATURES, '--input', input, '--output', join(dir, 'bad.json'), '--prediction-column', 'prediction'].concat([
        '--label-column',
        'label',
        '--max-skipped-percent',
        '1',
      ]),
      (s) => err.push(s),
    );
    // THEN the line is reported, the reference stands on the 200 good records, the baseline on all 201
    expect(err.join('')).toMatch(/bad-label\.csv:202: left out of the quality reference: label is "2", neither/);
    const doc = JSON.parse(readFileSync(run.qualityOutput!, 'utf8')) as { labelled: number };
    expect(doc.labelled).toBe(200);
    expect(run.document.recordCount).toBe(201);
    // AND with 0% tolerated the command fails naming the line, and writes neither file
    const out = join(dir, 'strict.json');
    const strict = runBaselineCli(
      [...FEATURES, '--input', input, '--output', out, '--prediction-column', 'prediction'].concat([
        '--label-column',
        'label',
        '--max-skipped-percent',
        '0',
      ]),
      () => undefined,
    );
    await expect(strict).rejects.toThrow(BaselineDataError);
    await expect(strict).rejects.toThrow(/1 of 201 records .* unusable label, prediction or score.*lines 202\./);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'strict.quality-reference.json'))).toBe(false);
  });

  test('the quality options need --label-column, and --label-column needs --prediction-column', async () => {
    const input = write('small.csv', csv(binaryRows(20, 5)));
    const base = [...FEATURES, '--input', input, '--output', join(dir, 'small.json')];
    await expect(runBaselineCli([...base, '--score-column', 'score'])).rejects.toThrow(
      new UsageError("--score-column needs --label-column: the validation set's label"),
    );
    await expect(runBaselineCli([...base, '--label-column', 'label'])).rejects.toThrow(
      /--label-column label needs --prediction-column/,
    );
    await expect(
      runBaselineCli([...base, '--prediction-column', 'prediction', '--label-column', 'label', '--problem-type', 'x']),
    ).rejects.toThrow(/--problem-type must be binary-classification or regression, got "x"/);
  });
});
