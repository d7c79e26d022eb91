import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftAccumulator } from '../../../lambda/drift-detector/accumulator';
import { parseRegularCaptureLine, readRegularCapture } from '../../../lambda/drift-detector/capture-line-reader';
import { parseCaptureLine, parseCaptureStream } from '../../../lambda/drift-detector/capture-parser';
import { CaptureSink } from '../../../lambda/drift-detector/capture-sink';
import { CaptureEncoding, FRAUD_FEATURES, captureText, makeRng } from '../../../scripts/make-example-data';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { BaselineDocument } from '../../../core/contracts/baseline';

const FEATURES: FeatureSpec[] = FRAUD_FEATURES.map((f) => ({ ...f }));
const BASELINE: BaselineDocument = JSON.parse(
  readFileSync(join(__dirname, '../../../baselines/fraud-xgb.json'), 'utf8'),
);

type Event = ['record', readonly unknown[], unknown] | ['malformed', number, string, number];

function recorder(): { sink: CaptureSink; events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    sink: {
      record: (values, prediction) => events.push(['record', values, prediction]),
      malformed: (n, reason, line) => events.push(['malformed', n, reason, line]),
    },
  };
}

/** What the stream loop does with one line: the fast path first, the full parser for anything it declines. */
function viaFastPath(line: string, lineNo: number) {
  const r = recorder();
  const rows = parseRegularCaptureLine(line, r.sink) ?? parseCaptureLine(line, lineNo, FEATURES, r.sink);
  return { rows, events: r.events };
}

/** The full parser alone (JSON.parse of the whole line): the reference. */
function viaFullParser(line: string, lineNo: number) {
  const r = recorder();
  const rows = parseCaptureLine(line, lineNo, FEATURES, r.sink);
  return { rows, events: r.events };
}

/** The two data strings the fast reader found, if it read the line. */
const readRegularCsvData = (line: string) => {
  const c = readRegularCapture(line);
  return c && { input: c.endpointInput.data, output: c.endpointOutput.data };
};

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/**
 * Every capture file the tests use (handler.test.ts and integration/drift-detector.test.ts, same sizes and seeds),
 * and the generator's other encodings (JSON, BASE64), which take the full parser.
 */
const TEST_FILES: [string, string][] = [
  ['handler: drifted 1000', captureText(1000, 11, { drifted: true })],
  ['handler: below minSamples', captureText(50, 12)],
  ['handler: URL-encoded key', captureText(10, 13)],
  ['handler: gzip', captureText(300, 14)],
  ['handler: retries', captureText(5, 15)],
  ['integration: reference 2000', captureText(2000, 101)],
  ['integration: drifted 2000', captureText(2000, 102, { drifted: true })],
  ...(['JSON', 'BASE64'] as CaptureEncoding[]).flatMap((enc): [string, string][] => [
    [`${enc} reference`, captureText(300, 21, {}, enc)],
    [`${enc} biased`, captureText(300, 22, { genderBias: 2 }, enc)],
  ]),
];

/** A regular SageMaker CSV line with the given input and output data (and optional metadata). */
function regular(
  input: string,
  output: string,
  meta: object = { eventId: 'e-1', inferenceTime: '2026-01-01T00:00:00Z' },
) {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: output, encoding: 'CSV' },
    },
    eventMetadata: meta,
    eventVersion: '0',
  });
}

const BASE = regular('12.5,grocery,300,F', '1');

/** Odd and malformed lines: each must give exactly what the full parser gives. */
const ODD: [string, string][] = [
  ['a quoted CSV field with a comma', regular('7,"travel, intl",3,M', '0')],
  ['an escaped quote', regular('7,"say ""hi""",3,M', '0')],
  ['an unterminated quote', regular('7,"travel,3,M', '0')],
  ['two rows in one invocation', regular('1,a,2,F\n3,b,4,M', '0\n1')],
  ['rows and predictions that cannot be paired', regular('1,a,2,F\n3,b,4,M', '1')],
  ['an empty input', regular('', '1')],
  ['a blank output', regular('1,a,2,F', '  ')],
  ['a padded output', regular('1,a,2,F', ' 1 ')],
  ['a multi-value output', regular('1,a,2,F', '0.7,0.3')],
  ['a quoted multi-value output', regular('1,a,2,F', '"0.7",0.3')],
  ['a CRLF output', regular('1,a,2,F', '1\r\n')],
  ['too few values', regular('1,a', '1')],
  ['non-ASCII values', regular('1,caf\u00e9 \u2028,2,\ud83d\ude00', '1')],
  ['a unicode escape in the data', BASE.replace('grocery', '\\u0067rocery')],
  ['a raw tab in the data (invalid JSON)', BASE.replace('grocery', 'gro\tcery')],
  ['a raw newline escape sequence', BASE.replace('grocery', 'gro\\ncery')],
  ['an invalid escape', BASE.replace('grocery', 'gro\\qcery')],
  ['nested metadata', regular('1,a,2,F', '1', { eventId: 'e', customAttributes: { a: 1 } })],
  ['numeric metadata', regular('1,a,2,F', '1', { eventId: 'e', n: 1 })],
  ['empty metadata', regular('1,a,2,F', '1', {})],
  ['metadata that mimics the version key', regular('1,a,2,F', '1', { a: ',"eventVersion":"9"}' })],
  ['metadata with an escape', regular('1,a,2,F', '1', { a: 'x"y' })],
  ['duplicate metadata keys', BASE.replace('"eventId":"e-1"', '"eventId":"e-1","eventId":"e-2"')],
  ['a trailing space', `${BASE} `],
  ['a leading space', ` ${BASE}`],
  ['trailing garbage', `${BASE}}`],
  ['a second object', `${BASE}${BASE}`],
  ['a truncated line', BASE.slice(0, -5)],
  ['a cut in the data', BASE.slice(0, 100)],
  ['a byte order mark', `\ufeff${BASE}`],
  ['lower-case encoding', BASE.replace('"encoding":"CSV"', '"encoding":"csv"')],
  ['a charset in the content type', BASE.replace('"text/csv"', '"text/csv; charset=utf-8"')],
  ['BASE64 encoding', BASE.replace('"data":"1"', '"data":"MQ=="').replace(/"CSV"}}/, '"BASE64"}}')],
  ['another mode', BASE.replace('"INPUT"', '"OUTPUT"')],
  ['keys in another order', BASE.replace('"mode":"INPUT","data"', '"data":"9,z,9,X","mode":"INPUT","data"')],
  [
    'no output capture',
    JSON.stringify({
      captureData: { endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '1,a', encoding: 'CSV' } },
    }),
  ],
  ['spaces between tokens', JSON.stringify(JSON.parse(BASE), null, 1).replace(/\n/g, '')],
  ['a JSON null', 'null'],
  ['not JSON at all', 'garbage'],
];

describe('parseRegularCaptureLine (drift detector fast path)', () => {
  it.each(TEST_FILES)('gives the same records as the full parser on every line of the %s test file', (_name, text) => {
    // GIVEN every line of a capture file the tests use
    const all = lines(text);
    // WHEN each is read through the fast path (with its fallback) and through the full parser alone
    // THEN both report the same records, and the same malformed counts and reasons, line by line
    expect(all.map((l, i) => viaFastPath(l, i + 1))).toEqual(all.map((l, i) => viaFullParser(l, i + 1)));
  });

  it('takes the fast path for every regular CSV line SageMaker writes', () => {
    // GIVEN the example CSV capture file (what SageMaker writes for text/csv)
    const csv = lines(captureText(500, 7));
    // WHEN each line goes through the fast path alone
    const taken = csv.filter((l) => parseRegularCaptureLine(l, recorder().sink) === 1);
    // THEN every one of them is read there, none falls back
    expect(taken).toHaveLength(csv.length);
  });

  it.each(ODD)('gives the same result as the full parser for %s', (_name, line) => {
    expect(viaFastPath(line, 3)).toEqual(viaFullParser(line, 3));
  });

  it.each(ODD.filter(([, l]) => readRegularCsvData(l) !== undefined))(
    'reads the data strings of %s exactly as JSON.parse does',
    (_name, line) => {
      const capture = JSON.parse(line).captureData;
      expect(readRegularCsvData(line)).toEqual({
        input: capture.endpointInput.data,
        output: capture.endpointOutput.data,
      });
    },
  );

  it.each([
    ['a raw tab', BASE.replace('grocery', 'gro\tcery')],
    ['an invalid escape', BASE.replace('grocery', 'gro\\qcery')],
    ['two rows', regular('1,a,2,F\n3,b,4,M', '0\n1')],
    ['an unterminated quote', regular('7,"travel,3,M', '0')],
    ['keys in another order', BASE.replace('"mode":"INPUT","data"', '"data":"9,z,9,X","mode":"INPUT","data"')],
    ['trailing garbage', `${BASE}}`],
    ['a truncated line', BASE.slice(0, -1)],
    ['metadata that mimics the version key', regular('1,a,2,F', '1', { a: ',"eventVersion":"9"}' })],
  ])('rejects %s, leaving the line to the full parser', (_name, line) => {
    const r = recorder();
    expect(parseRegularCaptureLine(line, r.sink)).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('gives the same result as the full parser on 5,000 randomly damaged lines', () => {
    // GIVEN regular lines damaged at random: a character dropped, doubled or replaced by a JSON-significant one,
    // or the line cut short
    const rng = makeRng(2026);
    const pick = (n: number) => Math.floor(rng() * n);
    const sources = [...lines(captureText(50, 5)), ...ODD.map(([, l]) => l)];
    const significant = ['"', '\\', ',', '{', '}', ':', '\t', ' ', '\n', 'u', '0', 'é'];
    const damaged = Array.from({ length: 5_000 }, () => {
      const src = sources[pick(sources.length)] as string;
      const at = pick(src.length);
      return [
        () => src.slice(0, at) + src.slice(at + 1),
        () => src.slice(0, at) + src[at] + src.slice(at),
        () => src.slice(0, at) + significant[pick(significant.length)] + src.slice(at + 1),
        () => src.slice(0, at),
      ][pick(4)]!();
    });
    // WHEN read both ways THEN the results agree
    expect(damaged.map((l, i) => viaFastPath(l, i))).toEqual(damaged.map((l, i) => viaFullParser(l, i)));
    // AND a line the fast reader accepts is valid JSON with those very data strings
    const accepted = damaged.filter((l) => readRegularCsvData(l) !== undefined);
    expect(accepted.map(readRegularCsvData)).toEqual(
      accepted.map((l) => {
        const capture = JSON.parse(l).captureData;
        return { input: capture.endpointInput.data, output: capture.endpointOutput.data };
      }),
    );
    // the damage left many lines regular (a data value changed), so both branches were exercised
    expect(accepted.length).toBeGreaterThan(250);
    expect(accepted.length).toBeLessThan(damaged.length);
  });
});

describe('parseCaptureStream with the fast path', () => {
  async function statistics(text: string, lineReader: 'stream' | 'full-parser') {
    const acc = new DriftAccumulator(BASELINE, { features: FEATURES, sensitiveAttribute: 'gender', positiveLabel: 1 });
    const sink: CaptureSink = { record: (v, p) => acc.add(v, p), malformed: (n) => acc.addMalformed(n) };
    if (lineReader === 'stream') await parseCaptureStream(Readable.from([text]), FEATURES, sink);
    else text.split('\n').forEach((l, i) => l.trim() !== '' && parseCaptureLine(l, i + 1, FEATURES, sink));
    return JSON.stringify(acc.result());
  }

  it.each([
    ...TEST_FILES,
    [
      'mixed file with odd and malformed lines',
      `${captureText(300, 3)}${ODD.map(([, l]) => l.replace(/\n/g, ' ')).join('\n')}\n${captureText(300, 4, { drifted: true }, 'JSON')}`,
    ],
  ])('computes bit-identical statistics for the %s', async (_name, text) => {
    // GIVEN a capture file WHEN the stream parser (fast path + fallback) and the full parser alone feed an accumulator
    // THEN every statistic is identical to the last bit (compared as serialized JSON)
    expect(await statistics(text, 'stream')).toBe(await statistics(text, 'full-parser'));
  });
});
