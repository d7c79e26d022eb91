/**
 * Decodes the payloads of SageMaker data-capture records (pure): a payload's text and format, its input rows and its
 * predictions. Used by the capture parsers and the prediction ledger.
 *
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
 */
import { CaptureFormatError, MalformedReason } from './capture-sink';
import { FeatureSpec } from '../../core/contracts/drift-detector';

type Format = 'csv' | 'json' | 'jsonl';

export interface CapturedPayload {
  readonly observedContentType?: unknown;
  readonly mode?: unknown;
  readonly data?: unknown;
  readonly encoding?: unknown;
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

/** JSON.parse, or a CaptureFormatError of `kind` naming `what`. */
export function parseJson(text: string, what: string, kind: MalformedReason = 'bad-payload'): unknown {
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
