import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineDocument, baselineProblems, validateBaseline } from '../../core/contracts/baseline';

const COMMITTED = join(__dirname, '../../baselines/fraud-xgb.json');
const committed = (): BaselineDocument => JSON.parse(readFileSync(COMMITTED, 'utf8')) as BaselineDocument;
type Mutable = { -readonly [K in keyof BaselineDocument]: unknown } & Record<string, unknown>;

describe('baseline document schema', () => {
  it('accepts the committed example baseline', () => {
    // GIVEN the baseline `npm run baseline` wrote WHEN it is checked THEN nothing is wrong with it
    expect(baselineProblems(committed())).toEqual([]);
  });

  it.each<[string, (d: Mutable) => unknown, RegExp]>([
    ['not an object', () => [], /the document must be an object, got \[\]/],
    ['of another kind', (d) => (d.kind = 'x'), /kind is "x", expected "mlops.drift-baseline"/],
    ['of another schema version', (d) => (d.schemaVersion = 2), /schemaVersion is 2, this detector reads 1/],
    [
      'without features',
      (d) => {
        d.features = [];
      },
      /features is empty: the baseline lists no features/,
    ],
    ['with features missing', (d) => delete d.features, /features must be an array, got nothing/],
    [
      'with a feature of an unknown type',
      (d) => ((d.features as { distribution: { type: string } }[])[0]!.distribution.type = 'text'),
      /feature "amount" distribution.type must be numeric or categorical, got "text"/,
    ],
    [
      'with bins that do not match their edges',
      (d) => (d.features as { distribution: { binProportions: number[] } }[])[0]!.distribution.binProportions.pop(),
      /feature "amount" distribution.binProportions must have binEdges.length \+ 1 = \d+ entries, got \d+/,
    ],
    [
      'with a KS grid of unequal lengths',
      (d) => (d.features as { distribution: { ks: { cdf: number[] } } }[])[0]!.distribution.ks.cdf.pop(),
      /feature "amount" distribution.ks grid, cdf and left must have equal lengths/,
    ],
    [
      'with categories not ending in __other__',
      (d) => (d.features as { distribution: { categories: string[] } }[])[1]!.distribution.categories.pop(),
      /feature "merchant_category" distribution.categories and proportions must have equal lengths, ending with __other__/,
    ],
  ])('rejects a document %s, naming the field, the value and the fix', (_, change, message) => {
    // GIVEN the committed baseline with one thing broken
    const doc = committed() as unknown as Mutable;
    const replaced = change(doc);
    const input = Array.isArray(replaced) ? replaced : doc;
    // WHEN the detector parses it THEN the message names the problem and how to regenerate the file
    expect(() => validateBaseline(input, 's3://b/k')).toThrow(message);
    expect(() => validateBaseline(input, 's3://b/k')).toThrow(
      /^baseline s3:\/\/b\/k: .*; regenerate it with `npm run baseline`$/,
    );
  });

  it('rejects a document naming every problem at once', () => {
    // GIVEN a document with the wrong version and no source
    const doc = committed() as unknown as Mutable;
    doc.schemaVersion = 0;
    delete doc.source;
    // WHEN checked THEN both problems are listed
    expect(baselineProblems(doc)).toEqual([
      'schemaVersion is 0, this detector reads 1',
      'source must be an object, got nothing',
    ]);
  });
});
