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
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { FeatureSpec } from './baseline';
import { parseRegularCaptureLine } from './capture-line-reader';

export interface CaptureSink {
  /** One row: raw values in feature order, and the raw prediction (undefined when output was not captured). */
  record(values: readonly unknown[], prediction: unknown): void;
  /** `count` rows (or one unreadable line) could not be read. */
  malformed(count: number, reason: string, line: number): void;
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
    readonly rows = 1,
  ) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

export function decode(p: CapturedPayload, what: string): { text: string; format: Format } {
  if (typeof p.data !== 'string')
    throw new CaptureFormatError(
      `${what}.data is ${p.data === undefined ? 'missing' : typeof p.data}, expected a string`,
    );
  const encoding = typeof p.encoding === 'string' ? p.encoding.toUpperCase() : undefined;
  let text: string;
  if (encoding === 'BASE64') text = Buffer.from(p.data, 'base64').toString('utf8');
  else if (encoding === 'CSV' || encoding === 'JSON' || encoding === undefined) text = p.data;
  else throw new CaptureFormatError(`${what}.encoding ${JSON.stringify(p.encoding)} is not CSV, JSON or BASE64`);
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
  if (quoted) throw new CaptureFormatError('unterminated quoted CSV field');
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

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CaptureFormatError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function inputRows(p: CapturedPayload, features: readonly FeatureSpec[]): (readonly unknown[])[] {
  const { text, format } = decode(p, 'endpointInput');
  if (format === 'csv') return csvLines(text).map(splitCsvRow);
  if (format === 'jsonl') return csvLines(text).flatMap((l) => jsonRows(parseJson(l, 'endpointInput line'), features));
  return jsonRows(parseJson(text, 'endpointInput.data'), features);
}

function predictionOf(item: unknown): unknown {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    return o.predicted_label ?? o.label ?? o.prediction ?? o.score;
  }
  // Multi-output rows ([p0, p1]) are out of scope: the first value stands for the row.
  return Array.isArray(item) ? item[0] : item;
}

function outputPredictions(p: CapturedPayload, rows: number): unknown[] {
  const { text, format } = decode(p, 'endpointOutput');
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
  try {
    const doc = parseJson(line, 'capture line') as {
      captureData?: { endpointInput?: CapturedPayload; endpointOutput?: CapturedPayload };
    } | null;
    const input = doc?.captureData?.endpointInput;
    if (typeof input !== 'object' || input === null)
      throw new CaptureFormatError('captureData.endpointInput is missing: is input capture enabled?');
    rows = inputRows(input, features);
    const output = doc?.captureData?.endpointOutput;
    if (typeof output === 'object' && output !== null) {
      predictions = outputPredictions(output, rows.length);
      if (predictions.length !== rows.length) {
        throw new CaptureFormatError(
          `${rows.length} input row(s) but ${predictions.length} prediction(s): cannot pair them`,
          rows.length,
        );
      }
    }
  } catch (err) {
    const rowsLost = err instanceof CaptureFormatError ? err.rows : 1;
    sink.malformed(rowsLost, (err as Error).message, lineNo);
    return 0;
  }
  for (let i = 0; i < rows.length; i++) sink.record(rows[i] as readonly unknown[], predictions?.[i]);
  return rows.length;
}

/** Streams a capture file line by line; memory holds one line at a time. Rejects only if the stream itself fails. */
export async function parseCaptureStream(
  input: Readable,
  features: readonly FeatureSpec[],
  sink: CaptureSink,
): Promise<ParseStats> {
  let lines = 0;
  let records = 0;
  let malformed = 0;
  const counting: CaptureSink = {
    record: (v, p) => sink.record(v, p),
    malformed: (n, reason, line) => {
      malformed += n;
      sink.malformed(n, reason, line);
    },
  };
  const rl = createInterface({ input, crlfDelay: Infinity });
  // readline does not forward the source's errors; without this a broken stream would just look like a short file.
  const failed = new Promise<never>((_, reject) => input.once('error', reject));
  failed.catch(() => undefined);
  const consume = (async () => {
    for await (const line of rl) {
      lines++;
      if (line.trim() === '') continue;
      // Regular CSV lines take the fast path (same records, capture-line-reader.ts); anything else the full parser.
      records += parseRegularCaptureLine(line, counting) ?? parseCaptureLine(line, lines, features, counting);
    }
  })();
  try {
    await Promise.race([consume, failed]);
  } finally {
    rl.close();
  }
  return { lines, records, malformed };
}
