/**
 * Edge cases around the detector's statistics (issue 11): null predictions, inputs that decode to nothing, one
 * normalisation for categories and predictions, decimal-only numbers, non-string encodings, fairness groups left
 * out, and windows of small files. Expected values are worked out by hand from the textbook definitions
 * (PSI = sum (a_i - e_i) ln(a_i / e_i); demographic parity difference = max rate - min rate).
 */
import { Readable } from 'node:stream';
import { DriftAccumulator } from '../../../lambda/drift-detector/accumulator';
import { parseCaptureStream } from '../../../lambda/drift-detector/capture-parser';
import { MalformedReason } from '../../../lambda/drift-detector/capture-sink';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { BaselineBuilder } from '../../../lib/baseline/builder';
import { BaselineDocument, MISSING } from '../../../core/contracts/baseline';
import { categoryKey, decimalNumber, numericValue, predictionKey } from '../../../core/contracts/baseline-values';

const meta = { createdAt: '2026-01-01T00:00:00.000Z', source: { file: 't', sha256: 'x', format: 'csv' as const } };
const FEATURES: FeatureSpec[] = [
  { name: 'amount', type: 'numeric' },
  { name: 'code', type: 'categorical' },
];

/** Training: 600 rows code "1.0"/label 0 and 400 rows code "2.0"/label 1 (as a training CSV writes them). */
function baseline(extra: { sensitiveAttribute?: string } = {}): BaselineDocument {
  const b = new BaselineBuilder({ features: FEATURES, predictionColumn: 'label', positiveLabel: 1, ...extra });
  for (let i = 0; i < 1000; i++) {
    const first = i < 600;
    b.add({ amount: String(i % 100), code: first ? '1.0' : '2.0', label: first ? '0' : '1' });
  }
  return b.build(meta);
}

function line(input: Record<string, unknown>, output?: Record<string, unknown>): string {
  return JSON.stringify({
    captureData: { endpointInput: input, ...(output ? { endpointOutput: output } : {}) },
    eventMetadata: { eventId: 'e' },
    eventVersion: '0',
  });
}

async function run(lines: string[], base: BaselineDocument, opts: { minGroupSize?: number } = {}) {
  const acc = new DriftAccumulator(base, { features: FEATURES, ...opts });
  await parseCaptureStream(Readable.from([lines.join('\n')]), FEATURES, {
    record: (v, p) => acc.add(v, p),
    malformed: (n, _reason, _line, kind) => acc.addMalformed(n, kind),
  });
  return acc.result();
}

describe('one normalisation, decimal numbers only', () => {
  it('reads categories and predictions the same way: 1, 1.0, "1.0" and " 1 " are one value', () => {
    // GIVEN the forms a training CSV and a JSON-serving container write
    const forms = [1, 1.0, '1.0', ' 1 ', '1e0', '+1'];
    // THEN both normalisations give the same key
    for (const f of forms) {
      expect(categoryKey(f, 'code')).toBe('1');
      expect(predictionKey(f)).toBe('1');
    }
    expect(categoryKey('', 'code')).toBe(MISSING);
    expect(predictionKey(null)).toBe(MISSING);
  });

  it('rejects hexadecimal, binary, octal and infinite spellings as numbers', () => {
    for (const s of ['0x10', '0b101', '0o7', 'Infinity', '-Infinity', '1e999', '1_000', '1,5', '--1'])
      expect(decimalNumber(s)).toBeUndefined();
    expect(() => numericValue('0x10', 'amount')).toThrow(/amount: "0x10" is not a decimal number/);
    // As categories they are kept as written, never read as 16
    expect(categoryKey('0x10', 'code')).toBe('0x10');
    expect(decimalNumber('.5')).toBe(0.5);
    expect(decimalNumber('-2.5E-3')).toBe(-0.0025);
  });

  it('reads every decimal exactly as the regex and Number() do (the short-decimal fast path changes nothing)', () => {
    // The definition decimalNumber had before its fast path: the reference every result must equal, -0 included.
    const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
    const reference = (s: string) => {
      if (!DECIMAL.test(s)) return undefined;
      const n = Number(s);
      return Number.isFinite(n) ? n : undefined;
    };
    const cases = ['0', '-0', '+0', '-0.0', '0.', '.0', '.', '+', '-', '', '1.2.3', '+-1', ' 1', '1 ', '1e3', '0x10'];
    cases.push('999999999999999', '9999999999999999', '-999999999999999.', '.123456789012345', '0.1', '0.3');
    cases.push('123456789.0123456', '00000000000001', '1.7976931348623157', '12345678901234567', '1.00000000000000');
    // A deterministic pseudo-random sweep over short strings of digits, points, signs and exponents
    let seed = 42;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    const alphabet = '0123456789.+-eE 00099';
    for (let t = 0; t < 200_000; t++) {
      let s = '';
      for (let j = rnd(19); j > 0; j--) s += alphabet[rnd(alphabet.length)];
      cases.push(s);
    }
    for (let t = 0; t < 20_000; t++) cases.push(String((rnd(2 ** 30) / 2 ** rnd(31)) * (rnd(2) ? -1 : 1)).slice(0, 18));
    const mismatches = cases.filter((s) => !Object.is(decimalNumber(s), reference(s)));
    expect(mismatches).toEqual([]);
  });

  it('gives PSI 0 (not 17.7) when a code written 1.0 in training arrives as the JSON number 1.0', async () => {
    // GIVEN the training distribution (60% "1.0", 40% "2.0") sent back as JSON numbers (serialised 1 and 2)
    const lines = Array.from({ length: 100 }, (_, i) =>
      line(
        {
          observedContentType: 'application/json',
          encoding: 'JSON',
          data: JSON.stringify([i % 100, i < 60 ? 1.0 : 2.0]),
        },
        { observedContentType: 'text/csv', encoding: 'CSV', data: i < 60 ? '0' : '1' },
      ),
    );
    // WHEN judged
    const r = await run(lines, baseline());
    // THEN same distribution: PSI is exactly 0 for the code and for the prediction
    expect(r.sampleCount).toBe(100);
    expect(r.features[1]!.psi).toBe(0);
    expect(r.predictionPsi).toBe(0);
  });

  it('counts a numeric value written 0x10 as a malformed record (bad-value), not as 16', async () => {
    const r = await run(
      [line({ observedContentType: 'text/csv', encoding: 'CSV', data: '0x10,1' }, { encoding: 'CSV', data: '0' })],
      baseline(),
    );
    expect(r.sampleCount).toBe(0);
    expect(r.malformedByReason).toEqual({ 'bad-value': 1 });
  });
});

describe('null and empty predictions', () => {
  it('are counted as missing predictions, never as a class: 3.5% nulls leave PSI and fairness unmoved', async () => {
    // GIVEN 1000 invocations: 35 with a null prediction, the other 965 exactly the training mix of labels by code
    const lines: string[] = [];
    for (let i = 0; i < 35; i++)
      lines.push(line({ encoding: 'CSV', data: `5,1.0` }, { encoding: 'JSON', data: '{"predictions":[null]}' }));
    // 579 of 965 label 0 (code 1), 386 label 1 (code 2): 579/965 = 0.6, 386/965 = 0.4
    for (let i = 0; i < 579; i++)
      lines.push(line({ encoding: 'CSV', data: `${i % 100},1.0` }, { encoding: 'CSV', data: '0' }));
    for (let i = 0; i < 386; i++)
      lines.push(line({ encoding: 'CSV', data: `${i % 100},2.0` }, { encoding: 'CSV', data: '1' }));
    // WHEN judged against the baseline built from the same mix
    const r = await run(lines, baseline({ sensitiveAttribute: 'code' }), { minGroupSize: 1 });
    // THEN every invocation is a sample, the 35 nulls are counted as missing, PSI is exactly 0
    expect(r.sampleCount).toBe(1000);
    expect(r.malformedRecords).toBe(0);
    expect(r.missingPredictions).toBe(35);
    expect(r.predictionPsi).toBe(0);
    // AND fairness counts only the 965 records with a prediction: code 1 rate 0/579, code 2 rate 386/386
    expect(r.groups).toEqual([
      { group: '1', count: 579, positives: 0 },
      { group: '2', count: 386, positives: 386 },
    ]);
    expect(r.demographicParityDifference).toBe(1);
  });

  it('are handled the same way by the baseline builder: counted in prediction.missing, not in the classes', () => {
    // GIVEN training rows, 10 of them without a label
    const b = new BaselineBuilder({ features: FEATURES, predictionColumn: 'label' });
    for (let i = 0; i < 100; i++) b.add({ amount: i, code: 'a', label: i < 10 ? '' : i % 2 });
    // WHEN built
    const doc = b.build(meta);
    // THEN the 10 are counted, and the class shares are over the 90 labelled rows
    expect(doc.recordCount).toBe(100);
    const dist = doc.prediction!.distribution;
    expect(dist.missing).toBe(10);
    if (dist.type !== 'categorical') throw new Error('categorical expected');
    expect(dist.categories).not.toContain(MISSING);
    expect(dist.proportions[dist.categories.indexOf('0')]).toBeCloseTo(45 / 90, 15);
  });

  it('reads a blank CSV output as one missing prediction per row', async () => {
    const r = await run([line({ encoding: 'CSV', data: '1,1.0\n2,2.0' }, { encoding: 'CSV', data: '' })], baseline());
    expect(r.sampleCount).toBe(2);
    expect(r.missingPredictions).toBe(2);
  });
});

describe('every invocation is a sample or a malformed record, with its reason', () => {
  /** An odd but possible capture line, the reason it must be malformed for, or the samples it must give. */
  const corpus: { name: string; line: string; samples?: number; malformed?: [MalformedReason, number] }[] = [
    { name: 'plain CSV', line: line({ encoding: 'CSV', data: '1,a' }, { encoding: 'CSV', data: '1' }), samples: 1 },
    {
      name: 'three CSV rows',
      line: line({ encoding: 'CSV', data: '1,a\n2,b\n3,c' }, { encoding: 'CSV', data: '1,0,1' }),
      samples: 3,
    },
    {
      name: 'empty CSV input with a prediction',
      line: line({ encoding: 'CSV', data: '' }, { encoding: 'CSV', data: '1' }),
      malformed: ['empty-input', 1],
    },
    {
      name: 'empty CSV input without output',
      line: line({ encoding: 'CSV', data: '  \n' }),
      malformed: ['empty-input', 1],
    },
    {
      name: 'base64 of nothing',
      line: line({ encoding: 'BASE64', data: '' }, { encoding: 'CSV', data: '1' }),
      malformed: ['empty-input', 1],
    },
    {
      name: 'base64 that is not base64',
      line: line({ encoding: 'BASE64', data: '%%%' }, { encoding: 'CSV', data: '1' }),
      malformed: ['bad-encoding', 1],
    },
    {
      name: 'base64 of CSV',
      line: line(
        { encoding: 'BASE64', observedContentType: 'text/csv', data: Buffer.from('4,z').toString('base64') },
        { encoding: 'CSV', data: '0' },
      ),
      samples: 1,
    },
    {
      name: 'instances: []',
      line: line(
        { observedContentType: 'application/json', encoding: 'JSON', data: '{"instances":[]}' },
        { encoding: 'JSON', data: '{"predictions":[]}' },
      ),
      malformed: ['empty-input', 1],
    },
    {
      name: 'numeric encoding',
      line: line({ encoding: 7, data: '1,a' }, { encoding: 'CSV', data: '1' }),
      malformed: ['bad-encoding', 1],
    },
    {
      name: 'null encoding',
      line: line({ encoding: null, data: '1,a' }, { encoding: 'CSV', data: '1' }),
      malformed: ['bad-encoding', 1],
    },
    { name: 'unknown encoding', line: line({ encoding: 'UTF16', data: '1,a' }), malformed: ['bad-encoding', 1] },
    { name: 'data is a number', line: line({ encoding: 'CSV', data: 5 }), malformed: ['bad-encoding', 1] },
    {
      name: 'two rows, one prediction',
      line: line({ encoding: 'CSV', data: '1,a\n2,b' }, { encoding: 'JSON', data: '[1]' }),
      malformed: ['row-count-mismatch', 2],
    },
    {
      name: 'no endpointInput',
      line: JSON.stringify({ captureData: { endpointOutput: { encoding: 'CSV', data: '1' } } }),
      malformed: ['no-input', 1],
    },
    { name: 'not JSON', line: '{"captureData": ', malformed: ['invalid-line', 1] },
    { name: 'JSON but not a capture record', line: '[1,2,3]', malformed: ['invalid-line', 1] },
    {
      name: 'bad JSON payload',
      line: line({ observedContentType: 'application/json', encoding: 'JSON', data: '{"instances":' }),
      malformed: ['bad-payload', 1],
    },
    { name: 'unterminated CSV quote', line: line({ encoding: 'CSV', data: '1,"a' }), malformed: ['bad-payload', 1] },
    {
      name: 'too few values',
      line: line({ encoding: 'CSV', data: '1' }, { encoding: 'CSV', data: '1' }),
      malformed: ['wrong-field-count', 1],
    },
    { name: 'hex amount', line: line({ encoding: 'CSV', data: '0x1F,a' }), malformed: ['bad-value', 1] },
    {
      name: 'object prediction without a label field',
      line: line({ encoding: 'CSV', data: '1,a' }, { encoding: 'JSON', data: '{"probabilities":[0.2,0.8]}' }),
      samples: 1,
    },
  ];

  it.each(corpus)('$name', async ({ line: l, samples, malformed }) => {
    // WHEN one invocation is judged
    const r = await run([l], baseline());
    // THEN it lands in exactly one place, never neither
    expect(r.sampleCount).toBe(samples ?? 0);
    expect(r.malformedByReason).toEqual(malformed ? { [malformed[0]]: malformed[1] } : {});
    expect(r.malformedRecords).toBe(malformed?.[1] ?? 0);
  });

  it('accounts for every record of the whole corpus in one file', async () => {
    // GIVEN the whole corpus as one file, with blank lines between
    const r = await run(
      corpus.flatMap((c) => [c.line, '']),
      baseline(),
    );
    // THEN records counted = records fed, and the reasons sum to the malformed total
    const fed = corpus.reduce((n, c) => n + (c.samples ?? c.malformed?.[1] ?? 0), 0);
    expect(r.sampleCount + r.malformedRecords).toBe(fed);
    expect(Object.values(r.malformedByReason).reduce((a, b) => a + b, 0)).toBe(r.malformedRecords);
  });
});

describe('fairness groups below the minimum size', () => {
  it('are left out of the statistics and counted', async () => {
    // GIVEN 150 records of code 1 (rate 0.2), 150 of code 2 (rate 0.1) and 40 of an unseen-in-size code 3
    const base = (() => {
      const b = new BaselineBuilder({ features: FEATURES, predictionColumn: 'label', sensitiveAttribute: 'code' });
      for (let i = 0; i < 300; i++) b.add({ amount: i, code: String((i % 3) + 1), label: i % 2 });
      return b.build(meta);
    })();
    const lines: string[] = [];
    const add = (code: number, n: number, positives: number) => {
      for (let i = 0; i < n; i++)
        lines.push(line({ encoding: 'CSV', data: `1,${code}` }, { encoding: 'CSV', data: i < positives ? '1' : '0' }));
    };
    add(1, 150, 30);
    add(2, 150, 15);
    add(3, 40, 40);
    // WHEN the minimum group size is 100
    const r = await run(lines, base, { minGroupSize: 100 });
    // THEN code 3 is left out (DPD = 0.2 - 0.1, DI = 0.1 / 0.2) and counted
    expect(r.demographicParityDifference).toBeCloseTo(0.1, 15);
    expect(r.disparateImpactRatio).toBeCloseTo(0.5, 15);
    expect(r.fairnessGroupsExcluded).toBe(1);
  });
});

describe('windows of small files', () => {
  it('merging the counts of two files gives exactly the statistics of one file holding both', async () => {
    // GIVEN two halves of a traffic sample
    const base = baseline({ sensitiveAttribute: 'code' });
    const mk = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => {
        const i = from + k;
        return line(
          { encoding: 'CSV', data: `${(i * 37) % 150},${i % 3 === 0 ? 2 : 1}` },
          { encoding: 'CSV', data: String(i % 2) },
        );
      });
    const acc = (lines: string[]) => {
      const a = new DriftAccumulator(base, { features: FEATURES, minGroupSize: 1 });
      lines.forEach((l) => {
        const doc = JSON.parse(l) as {
          captureData: { endpointInput: { data: string }; endpointOutput: { data: string } };
        };
        a.add(doc.captureData.endpointInput.data.split(','), doc.captureData.endpointOutput.data);
      });
      return a;
    };
    const first = acc(mk(0, 70));
    const second = acc(mk(70, 200));
    const whole = acc(mk(0, 200));
    // WHEN the first's snapshot is merged into the second (as the window store does, through JSON)
    second.merge(JSON.parse(JSON.stringify(first.snapshot())));
    // THEN every statistic is identical
    expect(second.result()).toEqual(whole.result());
  });

  it('rejects a snapshot of another shape', () => {
    const a = new DriftAccumulator(baseline(), { features: FEATURES });
    const other = new DriftAccumulator(baseline(), { features: [FEATURES[0]!] });
    expect(() => a.merge(other.snapshot())).toThrow(/does not match this baseline/);
  });
});
