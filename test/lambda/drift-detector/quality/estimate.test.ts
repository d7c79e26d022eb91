/**
 * Confidence-based performance estimation (CBPE): accuracy and ROC AUC from calibrated scores alone, checked against
 * the realised values once labels drawn from those scores arrive, and the ROC AUC estimate against scikit-learn's
 * weighted ROC AUC (each record a positive of weight s and a negative of weight 1 - s), which is its definition.
 */
import { qualitySettings } from '../../../../core/contracts/quality';
import { QualityJoin } from '../../../../lambda/drift-detector/quality/join';
import { estimatePerformance } from '../../../../core/quality/metrics';
import { exampleEventId, makeRng, trainingRecords } from '../../../../scripts/make-example-data';
import { sklearnReference } from '../../../support/sklearn';

describe('CBPE estimate', () => {
  it('lands within 0.02 of the realised accuracy and ROC AUC on 10,000 records labelled from calibrated scores', () => {
    // GIVEN 10,000 predictions of the stand-in model and labels drawn with probability = its score
    const records = trainingRecords(10_000, 501);
    const rng = makeRng(502);
    const join = new QualityJoin(qualitySettings({ minGroupSize: 100 }));
    records.forEach((r, i) => join.addPrediction({ id: exampleEventId(i), p: r.label, s: r.score, g: r.gender }));
    records.forEach((r, i) => join.addLabels(exampleEventId(i), [rng() < r.score ? '1' : '0']));
    // WHEN
    const q = join.result();
    // THEN
    process.stdout.write(
      `CBPE on 10,000: accuracy estimated ${q.estimated?.accuracy.toFixed(4)} realised ${q.metrics?.accuracy?.toFixed(4)}; ROC AUC estimated ${q.estimated?.rocAuc?.toFixed(4)} realised ${q.metrics?.rocAuc?.toFixed(4)}\n`,
    );
    expect(q.estimated?.records).toBe(10_000);
    expect(Math.abs(q.estimated!.accuracy - (q.metrics!.accuracy as number))).toBeLessThanOrEqual(0.02);
    expect(Math.abs((q.estimated!.rocAuc as number) - (q.metrics!.rocAuc as number))).toBeLessThanOrEqual(0.02);
  });

  it("equals scikit-learn's ROC AUC with each record a weighted positive and a weighted negative", () => {
    // GIVEN scores with ties
    const rng = makeRng(503);
    const scores = Array.from({ length: 2000 }, () => Math.round(rng() * 50) / 50);
    const predicted = scores.map((s) => (s >= 0.5 ? 1 : 0));
    // WHEN
    const e = estimatePerformance(predicted, scores);
    // THEN
    const [ref] = sklearnReference([
      {
        kind: 'binary',
        truth: [...scores.map(() => 1), ...scores.map(() => 0)],
        predicted: [...predicted, ...predicted],
        scores: [...scores, ...scores],
        weights: [...scores, ...scores.map((s) => 1 - s)],
      },
    ]);
    expect(Math.abs((e.rocAuc as number) - ref!.rocAuc)).toBeLessThanOrEqual(1e-12);
    const expectedAccuracy = scores.reduce((a, s, i) => a + (predicted[i] === 1 ? s : 1 - s), 0) / scores.length;
    expect(e.accuracy).toBeCloseTo(expectedAccuracy, 12);
  });

  it('is null for regression and when a prediction has no score', () => {
    const join = new QualityJoin(qualitySettings({ minGroupSize: 1 }));
    join.addPrediction({ id: 'a', p: 1 });
    expect(join.result().estimated).toBeNull();
  });

  it('rejects a score that is not a probability', () => {
    expect(() => estimatePerformance([1], [1.5])).toThrow(/not a probability in \[0, 1\]/);
  });
});
