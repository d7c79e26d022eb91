/**
 * Streams SageMaker data-capture files (JSON Lines, one line per invocation) into records.
 *
 * A line: {"captureData":{"endpointInput":{observedContentType, mode, data, encoding},
 *          "endpointOutput":{...}}, "eventMetadata":{eventId, inferenceTime}, "eventVersion":"0"}
 * `encoding` is CSV or JSON (data is the payload text) or BASE64 (data is the base64 of the payload bytes); the
 * payload format comes from observedContentType (text/csv, application/json, application/jsonlines), falling back
 * on the encoding, then on the first character.
 *
 * Input payloads, one invocation may carry many rows:
 *  - CSV: one row per line, values in the configured feature order (no header), RFC 4180 quotes allowed.
 *  - JSON: {"instances":[...]} (SageMaker's common format) whose items are arrays (feature order), objects
 *    {"features":[...]} (feature order) or objects keyed by feature name; {"features":[...]} (one row);
 *    an array of arrays/objects (rows); an array of scalars (one row); any other object (one row keyed by name).
 *  - JSON Lines: one JSON row (array or object, as above) per line.
 * Output payloads: CSV (one prediction per line, or comma-separated when the input had that many rows),
 * JSON {"predictions":[...]} or a bare number/string/array, JSON Lines. A prediction that is an object is read from
 * its predicted_label, label, prediction or score field, in that order.
 * Rows whose count differs from the predictions' count cannot be paired: all of that invocation's rows are malformed.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parseRegularCaptureLine } from './capture-line-reader';
import { FeatureSpec } from '../../core/contracts/drift-detector';

/**
 * Why records were not judged; each is published as MalformedRecords with a `Reason` dimension. Every invocation
 * (capture line) ends up as samples or as malformed records of exactly one of these reasons, never neither.
 */
export const MALFORMED_REASONS = [
  /** The capture line is not JSON, or not a capture record. */
  'invalid-line',
  /** captureData.endpointInput is missing (input capture off?). */
  'no-input',
  /** `data` is not a string, `encoding` is not CSV/JSON/BASE64 (or not a string), or base64 is not base64. */
  'bad-encoding',
  /** The payload cannot be read as CSV/JSON rows or predictions. */
  'bad-payload',
  /** The input decodes to no rows at all (empty CSV, `{"instances":[]}`, base64 of nothing). */
  'empty-input',
  /** Input rows and predictions differ in number, so they cannot be paired. */
  'row-count-mismatch',
  /** A row has more or fewer values than there are features. */
  'wrong-field-count',
  /** A value cannot be read for its feature type (e.g. "abc" or "0x10" for a numeric feature). */
  'bad-value',
  /** The file itself is unreadable (bad gzip, ...): counted once for the file. */
  'unreadable-file',
] as const;
export type MalformedReason = (typeof MALFORMED_REASONS)[number];

export interface CaptureSink {
  /** One row: raw values in feature order, and the raw prediction (undefined when output was not captured). */
  record(values: readonly unknown[], prediction: unknown): void;
  /**
   * Optional, for speed: one CSV row without quotes, to be taken exactly as `record(row.split(','), prediction)`
   * (DriftAccumulator.addCsvRow reads it in place). The fast path of capture-line-reader.ts calls it when present.
   */
  csvRow?(row: string, prediction: string): void;
  /** `count` rows (at least 1: an unreadable invocation is one) could not be read, for `kind`. */
  malformed(count: number, reason: string, line: number, kind: MalformedReason): void;
  /** Optional: the eventMetadata.inferenceTime of each line whose rows were handed to `record` (the report's time range). */
  inferenceTime?(value: unknown): void;
}

export interface ParseStats {
  readonly lines: number;
  readonly records: number;
  readonly malformed: number;
}

type Format = 'csv' | 'json' | 'jsonl';

export interface CapturedPayload {
  readonly observedContentType?: unknown;
  readonly mode?: unknown;
  readonly data?: unknown;
  readonly encoding?: unknown;
}

/** A line or payload that cannot be read; the message says which part and why. */
export class CaptureFormatError extends Error {
  constructor(
    message: string,
    readonly kind: MalformedReason = 'bad-payload',
    readonly rows = 1,
  ) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A captured payload's text and format; throws CaptureFormatError ('bad-encoding') naming the field. */
export function decodePayload(p: CapturedPayload, what: string): { text: string; format: Format } {
  if (typeof p.data !== 'string')
    throw new CaptureFormatError(
      `${what}.data is ${p.data === undefined ? 'missing' : p.data === null ? 'null' : typeof p.data}, expected a string`,
      'bad-encoding',
    );
  if (p.encoding !== undefined && typeof p.encoding !== 'string')
    throw new CaptureFormatError(
      `${what}.encoding is ${JSON.stringify(p.encoding)} (${p.encoding === null ? 'null' : typeof p.encoding}), expected "CSV", "JSON" or "BASE64"`,
      'bad-encoding',
    );
  const encoding = p.encoding?.toUpperCase();
  let text: string;
  if (encoding === 'BASE64') {
    const compact = p.data.replace(/\s+/g, '');
    if (compact.length % 4 === 1 || !BASE64.test(compact))
      throw new CaptureFormatError(`${what}.data is not base64 although encoding is BASE64`, 'bad-encoding');
    text = Buffer.from(compact, 'base64').toString('utf8');
  } else if (encoding === 'CSV' || encoding === 'JSON' || encoding === undefined) text = p.data;
  else
    throw new CaptureFormatError(
      `${what}.encoding ${JSON.stringify(p.encoding)} is not CSV, JSON or BASE64`,
      'bad-encoding',
    );
  const ct = typeof p.observedContentType === 'string' ? p.observedContentType.toLowerCase() : '';
  let format: Format;
  if (ct.includes('csv')) format = 'csv';
  else if (ct.includes('jsonlines') || ct.includes('x-ndjson') || ct.includes('jsonl')) format = 'jsonl';
  else if (ct.includes('json')) format = 'json';
  else if (encoding === 'CSV') format = 'csv';
  else if (encoding === 'JSON') format = 'json';
  else format = /^\s*[[{]/.test(text) ? 'json' : 'csv';
  return { text, format };
}

/** Splits one CSV row; the fast path (no quotes) is a plain split, quoted fields follow RFC 4180. */
export function splitCsvRow(row: string): string[] {
  if (!row.includes('"')) return row.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const ch = row[i];
    if (quoted) {
      if (ch === '"') {
        if (row[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw new CaptureFormatError('unterminated quoted CSV field', 'bad-payload');
  out.push(field);
  return out;
}

export function csvLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

/** One JSON row -> values in feature order. */
function jsonRow(item: unknown, features: readonly FeatureSpec[]): readonly unknown[] {
  if (Array.isArray(item)) return item;
  if (typeof item === 'object' && item !== null) {
    const o = item as Record<string, unknown>;
    if (Array.isArray(o.features)) return o.features;
    return features.map((f) => o[f.name]);
  }
  throw new CaptureFormatError(`a JSON row must be an array or an object, got ${item === null ? 'null' : typeof item}`);
}

function jsonRows(doc: unknown, features: readonly FeatureSpec[]): (readonly unknown[])[] {
  if (Array.isArray(doc)) {
    const nested = doc.length > 0 && doc.every((x) => typeof x === 'object' && x !== null);
    return nested ? doc.map((x) => jsonRow(x, features)) : [doc];
  }
  if (typeof doc === 'object' && doc !== null) {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.instances)) return o.instances.map((x) => jsonRow(x, features));
    return [jsonRow(o, features)];
  }
  throw new CaptureFormatError(`input JSON must be an object or an array, got ${doc === null ? 'null' : typeof doc}`);
}

function parseJson(text: string, what: string, kind: MalformedReason = 'bad-payload'): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CaptureFormatError(`${what} is not valid JSON: ${(err as Error).message}`, kind);
  }
}

/** The rows of an input payload (pure; shared by every line reader). */
export function inputRows(p: CapturedPayload, features: readonly FeatureSpec[]): (readonly unknown[])[] {
  const { text, format } = decodePayload(p, 'endpointInput');
  if (format === 'csv') return csvLines(text).map(splitCsvRow);
  if (format === 'jsonl') return csvLines(text).flatMap((l) => jsonRows(parseJson(l, 'endpointInput line'), features));
  return jsonRows(parseJson(text, 'endpointInput.data'), features);
}

function predictionOf(item: unknown): unknown {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    // An object without any of these fields carries no readable prediction: null, counted as a missing one.
    return o.predicted_label ?? o.label ?? o.prediction ?? o.score ?? null;
  }
  // Multi-output rows ([p0, p1]) are out of scope: the first value stands for the row.
  return Array.isArray(item) ? item[0] : item;
}

/**
 * The predictions of an output payload, one per input row when they pair (pure; shared by every line reader).
 * A blank output is one missing (null) prediction per row: counted as missing predictions, never as a class.
 */
export function outputPredictions(p: CapturedPayload, rows: number): unknown[] {
  const { text, format } = decodePayload(p, 'endpointOutput');
  if (text.trim() === '') return new Array<unknown>(Math.max(rows, 1)).fill(null);
  if (format === 'csv') {
    const lines = csvLines(text).map((l) => l.trim());
    if (lines.length === rows) return lines.map((l) => (l.includes(',') ? (splitCsvRow(l)[0] as string) : l));
    if (lines.length === 1) return splitCsvRow(lines[0] as string).map((v) => v.trim());
    return lines;
  }
  if (format === 'jsonl') return csvLines(text).map((l) => predictionOf(parseJson(l, 'endpointOutput line')));
  const doc = parseJson(text, 'endpointOutput.data');
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.predictions)) return o.predictions.map(predictionOf);
    return [predictionOf(o)];
  }
  if (Array.isArray(doc))
    return rows === 1 && doc.length !== 1 && doc.every((x) => typeof x !== 'object') ? [doc[0]] : doc.map(predictionOf);
  return [doc];
}

/**
 * Reads one capture line and hands its rows to `sink`. Never throws: anything unreadable is reported to
 * `sink.malformed` so one bad line costs only itself.
 */
export function parseCaptureLine(
  line: string,
  lineNo: number,
  features: readonly FeatureSpec[],
  sink: CaptureSink,
): number {
  let rows: (readonly unknown[])[];
  let predictions: unknown[] | undefined;
  let inferenceTime: unknown;
  try {
    const doc = parseJson(line, 'capture line', 'invalid-line') as {
      captureData?: { endpointInput?: CapturedPayload; endpointOutput?: CapturedPayload };
      eventMetadata?: { inferenceTime?: unknown };
    } | null;
    if (typeof doc?.captureData !== 'object' || doc.captureData === null)
      throw new CaptureFormatError(
        'the line has no captureData object: not a SageMaker capture record',
        'invalid-line',
      );
    inferenceTime = doc.eventMetadata?.inferenceTime;
    const input = doc.captureData.endpointInput;
    if (typeof input !== 'object' || input === null)
      throw new CaptureFormatError('captureData.endpointInput is missing: is input capture enabled?', 'no-input');
    rows = inputRows(input, features);
    if (rows.length === 0)
      throw new CaptureFormatError('endpointInput decodes to no rows (empty payload)', 'empty-input');
    const output = doc.captureData.endpointOutput;
    if (typeof output === 'object' && output !== null) {
      predictions = outputPredictions(output, rows.length);
      if (predictions.length !== rows.length) {
        throw new CaptureFormatError(
          `${rows.length} input row(s) but ${predictions.length} prediction(s): cannot pair them`,
          'row-count-mismatch',
          rows.length,
        );
      }
    }
  } catch (err) {
    const rowsLost = err instanceof CaptureFormatError ? Math.max(1, err.rows) : 1;
    const kind = err instanceof CaptureFormatError ? err.kind : 'bad-payload';
    sink.malformed(rowsLost, (err as Error).message, lineNo, kind);
    return 0;
  }
  for (let i = 0; i < rows.length; i++) sink.record(rows[i] as readonly unknown[], predictions?.[i]);
  sink.inferenceTime?.(inferenceTime);
  return rows.length;
}

/**
 * Hands the lines of `input` to `onLine`, exactly the lines node:readline (`crlfDelay: Infinity`) emits: the same
 * UTF-8 decoder, line-ending rule (\r\n, \n or a lone \r; a \r\n split across chunks is one ending) and end of
 * input (a last line without ending is emitted if not empty), transcribed from Node's Interface[kNormalWrite] and
 * its 'end' handler. Lines are handed over synchronously, chunk by chunk, instead of one promise per line through
 * readline's async iterator. Rejects if the stream fails.
 */
export async function forEachLine(input: Readable, onLine: (line: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const lineEnding = /\r?\n|\r(?!\n)/g;
  let buffer: string | null = null;
  let sawReturn = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let text = decoder.write(chunk as Buffer);
    if (sawReturn) {
      if (text.codePointAt(0) === 10) text = text.slice(1);
      sawReturn = false;
    }
    if (text.indexOf('\r') < 0) {
      // No \r in this chunk (nor in `buffer`, which never holds a line ending): every ending is a plain \n, so
      // indexOf finds exactly what lineEnding would, and sawReturn stays false.
      let end = text.indexOf('\n');
      if (end < 0) {
        if (text) buffer = buffer ? buffer + text : text;
        continue;
      }
      if (buffer) {
        end += buffer.length;
        text = buffer + text;
        buffer = null;
      }
      let start = 0;
      while (end >= 0) {
        onLine(text.slice(start, end));
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      buffer = text.slice(start);
      continue;
    }
    lineEnding.lastIndex = 0;
    let match = lineEnding.exec(text);
    if (match !== null) {
      if (buffer) {
        text = buffer + text;
        buffer = null;
        lineEnding.lastIndex = 0;
        match = lineEnding.exec(text) as RegExpExecArray;
      }
      sawReturn = text.endsWith('\r');
      let start = 0;
      while (match !== null) {
        onLine(text.slice(start, match.index));
        start = lineEnding.lastIndex;
        match = lineEnding.exec(text);
      }
      buffer = text.slice(start);
    } else if (text) buffer = buffer ? buffer + text : text;
  }
  if (typeof buffer === 'string' && buffer.length > 0) onLine(buffer);
}

/** Streams a capture file line by line; memory holds one line at a time. Rejects only if the stream itself fails. */
export async function parseCaptureStream(
  input: Readable,
  features: readonly FeatureSpec[],
  sink: CaptureSink,
  /** Also sees every non-blank line (the prediction ledger reads the same lines: the file is read once). */
  onLine?: (line: string, lineNo: number) => void,
): Promise<ParseStats> {
  let lines = 0;
  let records = 0;
  let malformed = 0;
  const counting: CaptureSink = {
    record: (v, p) => sink.record(v, p),
    malformed: (n, reason, line, kind) => {
      malformed += n;
      sink.malformed(n, reason, line, kind);
    },
    ...(sink.csvRow ? { csvRow: (row: string, p: string) => sink.csvRow?.(row, p) } : {}),
    ...(sink.inferenceTime ? { inferenceTime: (t: unknown) => sink.inferenceTime?.(t) } : {}),
  };
  await forEachLine(input, (line) => {
    lines++;
    if (line.trim() === '') return;
    onLine?.(line, lines);
    // Regular CSV lines take the fast path (same records, capture-line-reader.ts); anything else the full parser.
    records += parseRegularCaptureLine(line, counting) ?? parseCaptureLine(line, lines, features, counting);
  });
  return { lines, records, malformed };
}
