import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseCaptureLine, parseCaptureStream } from '../../../lambda/drift-detector/capture-parser';
import { splitCsvRow } from '../../../lambda/drift-detector/capture-payload';
import { CaptureSink } from '../../../lambda/drift-detector/capture-sink';
import { forEachLine } from '../../../lambda/drift-detector/line-splitter';
import { captureLine, fraudRecord, makeRng } from '../../../scripts/make-example-data';
import { FeatureSpec } from '../../../core/contracts/drift-detector';

const features: FeatureSpec[] = [
  { name: 'amount', type: 'numeric' },
  { name: 'merchant_category', type: 'categorical' },
];

function collect() {
  const records: { values: readonly unknown[]; prediction: unknown }[] = [];
  const malformed: { n: number; reason: string; line: number }[] = [];
  const sink: CaptureSink = {
    record: (values, prediction) => records.push({ values, prediction }),
    malformed: (n, reason, line) => malformed.push({ n, reason, line }),
  };
  return { sink, records, malformed };
}

function line(input: object, output?: object): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { mode: 'INPUT', ...input },
      ...(output ? { endpointOutput: { mode: 'OUTPUT', ...output } } : {}),
    },
    eventMetadata: { eventId: 'e', inferenceTime: '2026-01-01T00:00:00Z' },
    eventVersion: '0',
  });
}

describe('parseCaptureLine', () => {
  it('reads CSV input and CSV output, rows in configured feature order', () => {
    const c = collect();
    parseCaptureLine(
      line(
        { observedContentType: 'text/csv', data: '12.5,grocery\n30,fuel', encoding: 'CSV' },
        { observedContentType: 'text/csv', data: '0\n1', encoding: 'CSV' },
      ),
      1,
      features,
      c.sink,
    );
    expect(c.records).toEqual([
      { values: ['12.5', 'grocery'], prediction: '0' },
      { values: ['30', 'fuel'], prediction: '1' },
    ]);
  });

  it('reads BASE64-encoded CSV', () => {
    const c = collect();
    const data = Buffer.from('7,"travel, intl"').toString('base64');
    parseCaptureLine(
      line(
        { observedContentType: 'text/csv', data, encoding: 'BASE64' },
        { observedContentType: 'text/csv', data: Buffer.from('1').toString('base64'), encoding: 'BASE64' },
      ),
      1,
      features,
      c.sink,
    );
    expect(c.records).toEqual([{ values: ['7', 'travel, intl'], prediction: '1' }]);
  });

  it('reads JSON {"instances": [...]} of arrays, named objects and {"features": [...]}, with {"predictions": [...]}', () => {
    const c = collect();
    const input = { instances: [[1, 'a'], { amount: 2, merchant_category: 'b' }, { features: [3, 'c'] }] };
    const output = { predictions: [0, { predicted_label: 1 }, { score: 0.7 }] };
    parseCaptureLine(
      line(
        { observedContentType: 'application/json', data: JSON.stringify(input), encoding: 'JSON' },
        { observedContentType: 'application/json', data: JSON.stringify(output), encoding: 'JSON' },
      ),
      1,
      features,
      c.sink,
    );
    expect(c.records).toEqual([
      { values: [1, 'a'], prediction: 0 },
      { values: [2, 'b'], prediction: 1 },
      { values: [3, 'c'], prediction: 0.7 },
    ]);
  });

  it('reads a single JSON object record and a bare number output', () => {
    const c = collect();
    parseCaptureLine(
      line(
        { observedContentType: 'application/json', data: '{"amount": 4, "merchant_category": "d"}', encoding: 'JSON' },
        { observedContentType: 'application/json', data: '1', encoding: 'JSON' },
      ),
      1,
      features,
      c.sink,
    );
    expect(c.records).toEqual([{ values: [4, 'd'], prediction: 1 }]);
  });

  it('reads JSON Lines input and output', () => {
    const c = collect();
    parseCaptureLine(
      line(
        {
          observedContentType: 'application/jsonlines',
          data: '[1,"a"]\n{"amount":2,"merchant_category":"b"}',
          encoding: 'JSON',
        },
        { observedContentType: 'application/jsonlines', data: '{"label":0}\n{"label":1}', encoding: 'JSON' },
      ),
      1,
      features,
      c.sink,
    );
    expect(c.records.map((r) => r.prediction)).toEqual([0, 1]);
  });

  it('leaves predictions undefined when output capture is off', () => {
    const c = collect();
    parseCaptureLine(line({ observedContentType: 'text/csv', data: '1,a', encoding: 'CSV' }), 1, features, c.sink);
    expect(c.records).toEqual([{ values: ['1', 'a'], prediction: undefined }]);
  });

  it.each([
    ['not JSON', '{"captureData":', /capture line is not valid JSON/, 1],
    ['no endpointInput', JSON.stringify({ captureData: {} }), /endpointInput is missing/, 1],
    ['unknown encoding', line({ data: 'x', encoding: 'UTF16' }), /encoding "UTF16" is not CSV, JSON or BASE64/, 1],
    [
      'rows and predictions that cannot be paired',
      line(
        { observedContentType: 'text/csv', data: '1,a\n2,b\n3,c', encoding: 'CSV' },
        { observedContentType: 'text/csv', data: '0\n1', encoding: 'CSV' },
      ),
      /3 input row\(s\) but 2 prediction\(s\)/,
      3,
    ],
    [
      'bad input JSON',
      line({ observedContentType: 'application/json', data: '{oops', encoding: 'JSON' }),
      /endpointInput.data is not valid JSON/,
      1,
    ],
  ])('counts a line with %s as malformed and goes on', (_name, text, reason, rows) => {
    const c = collect();
    expect(parseCaptureLine(text, 9, features, c.sink)).toBe(0);
    expect(c.records).toHaveLength(0);
    expect(c.malformed).toEqual([{ n: rows, reason: expect.stringMatching(reason), line: 9 }]);
  });
});

describe('splitCsvRow', () => {
  it('handles quotes and escaped quotes (RFC 4180)', () => {
    expect(splitCsvRow('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
  });
});

describe('parseCaptureStream', () => {
  it('streams lines, skips blank ones and keeps going after malformed lines', async () => {
    // GIVEN 3 good lines from the synthetic generator, a blank line and a broken line
    const rng = makeRng(1);
    const good = [0, 1, 2].map((i) => captureLine(fraudRecord(rng), i));
    const text = [good[0], '', '{broken', good[1], good[2]].join('\n');
    const c = collect();
    const feats: FeatureSpec[] = [
      ...features,
      { name: 'account_age_days', type: 'numeric' },
      { name: 'gender', type: 'categorical' },
    ];
    // WHEN
    const stats = await parseCaptureStream(Readable.from([text.slice(0, 100), text.slice(100)]), feats, c.sink);
    // THEN
    expect(stats).toEqual({ lines: 5, records: 3, malformed: 1 });
    expect(c.malformed[0]).toMatchObject({ line: 3 });
  });

  it('rejects when the source stream fails', async () => {
    const broken = new Readable({
      read() {
        this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      },
    });
    await expect(parseCaptureStream(broken, features, collect().sink)).rejects.toThrow(/socket hang up/);
  });
});

describe('forEachLine', () => {
  /** The lines node:readline emits for these chunks, as parseCaptureStream read them before forEachLine. */
  async function readlineLines(chunks: Buffer[]): Promise<string[]> {
    const out: string[] = [];
    for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) out.push(line);
    return out;
  }
  async function ownLines(chunks: Buffer[]): Promise<string[]> {
    const out: string[] = [];
    await forEachLine(Readable.from(chunks), (l) => out.push(l));
    return out;
  }

  it('emits exactly the lines readline emits, whatever the line endings, characters and chunk boundaries', async () => {
    const rng = makeRng(5);
    const pieces = ['a', 'bc', ' ', '\n', '\r', '\r\n', '\n\n', '\r\r', 'é', '😀', '{"x":1}', '\u2028', ''];
    for (let t = 0; t < 400; t++) {
      let text = '';
      for (let j = Math.floor(rng() * 30); j > 0; j--) text += pieces[Math.floor(rng() * pieces.length)];
      const bytes = Buffer.from(text);
      // random chunk boundaries, inside multi-byte characters and between \r and \n included
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const next = Math.min(bytes.length, at + 1 + Math.floor(rng() * 6));
        chunks.push(bytes.subarray(at, next));
        at = next;
      }
      expect(await ownLines(chunks)).toEqual(await readlineLines(chunks));
      expect(await ownLines([bytes])).toEqual(await readlineLines([bytes]));
    }
  });
});
