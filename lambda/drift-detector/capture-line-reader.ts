/**
 * Fast path for the drift detector's hot loop: a regular SageMaker data-capture line, read without a full
 * `JSON.parse`. Regular means the compact, fixed-key-order shape SageMaker writes,
 *
 *   {"captureData":{"endpointInput":{"observedContentType":S,"mode":S,"data":S,"encoding":S},
 *    "endpointOutput":{"observedContentType":S,"mode":S,"data":S,"encoding":S}},
 *    "eventMetadata":{S:S,...},"eventVersion":S}
 *
 * with S a JSON string. `readRegularCapture` accepts only valid JSON of exactly that shape, so the payloads it
 * returns equal `JSON.parse(line).captureData`; anything else (other key order, whitespace, no output capture,
 * numbers or nesting in the metadata, invalid JSON) returns `undefined`.
 *
 * `parseRegularCaptureLine` then reads the common payload, one CSV row in and one CSV prediction out, with the
 * full parser's own `decodePayload`, `csvLines` and `splitCsvRow` (capture-payload.ts). Any other line or payload
 * returns `undefined`, and the caller hands the line to `parseCaptureLine` (capture-parser.ts), so every guarantee
 * of the full parser on odd or malformed data holds unchanged. Tests prove both paths give the same records on every capture file the tests use,
 * on odd input and on randomly damaged lines, and bit-identical statistics.
 */
import { CapturedPayload, csvLines, decodePayload, splitCsvRow } from './capture-payload';
import { CaptureSink } from './capture-sink';

/** One captured payload of a regular line: its four strings. */
export interface RegularPayload extends CapturedPayload {
  readonly observedContentType: string;
  readonly mode: string;
  readonly data: string;
  readonly encoding: string;
}

/** `captureData` of a regular line, equal to what `JSON.parse(line).captureData` returns. */
export interface RegularCapture {
  readonly endpointInput: RegularPayload;
  readonly endpointOutput: RegularPayload;
  /** Where the `eventMetadata` object starts in the line (it ends before `,"eventVersion"`). */
  readonly metadataAt: number;
}

/** The literal text before each of the eight payload strings of a regular line, in order. */
const PAYLOAD_KEYS = [
  '{"captureData":{"endpointInput":{"observedContentType":"',
  '","mode":"',
  '","data":"',
  '","encoding":"',
  '"},"endpointOutput":{"observedContentType":"',
  '","mode":"',
  '","data":"',
  '","encoding":"',
] as const;
const AFTER_PAYLOADS = '"}},"eventMetadata":';
/**
 * The rest of the line from the metadata on: a flat object of strings without escapes (the usual eventId,
 * inferenceId, inferenceTime), the event version, the end of the line.
 */
const TAIL =
  /\{(?:"[^"\\\x00-\x1f]*":"[^"\\\x00-\x1f]*"(?:,"[^"\\\x00-\x1f]*":"[^"\\\x00-\x1f]*")*)?\},"eventVersion":"[^"\\\x00-\x1f]*"\}$/y;
/** The escapes JSON allows (RFC 8259 section 7). */
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Set by `stringAt`: the value of the string just read, or undefined when that value is simply the line's text
 * between the quotes (module-level, to spare an object per string; the slice is cut only when needed).
 */
let lastString: string | undefined;

/**
 * Reads the JSON string whose body starts at `from` (just after its opening quote): returns the index of its
 * closing quote and leaves its value in `lastString` (see there), or returns -1 if it is not a valid JSON string.
 */
function stringAt(line: string, from: number): number {
  // The common case: no escape and no control character before the next quote, so that quote closes the string.
  const quote = line.indexOf('"', from);
  if (quote < 0) return -1; // unterminated (escapedStringAt would scan to the end and return -1 too)
  for (let i = from; i < quote; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c === 92) return escapedStringAt(line, from);
  }
  lastString = undefined;
  return quote;
}

/** stringAt for a string with escapes (or an invalid one): reads it character by character. */
function escapedStringAt(line: string, from: number): number {
  let escaped = false;
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      const body = line.slice(from, i);
      lastString = escaped ? (JSON.parse(`"${body}"`) as string) : body;
      return i;
    }
    if (c < 32) return -1;
    if (c === 92) {
      ESCAPE.lastIndex = i;
      if (!ESCAPE.test(line)) return -1;
      escaped = true;
      i = ESCAPE.lastIndex - 1;
    }
  }
  return -1;
}

/**
 * The payloads of a regular capture line, read without a full `JSON.parse`; `undefined` when the line is anything
 * else. A returned value equals `JSON.parse(line).captureData`.
 */
export function readRegularCapture(line: string): RegularCapture | undefined {
  const metadataAt = readRegular(line);
  if (metadataAt < 0) return undefined;
  const s = (k: number) => stringOf(line, k);
  return {
    endpointInput: { observedContentType: s(0), mode: s(1), data: s(2), encoding: s(3) },
    endpointOutput: { observedContentType: s(4), mode: s(5), data: s(6), encoding: s(7) },
    metadataAt,
  };
}

/**
 * The eight payload strings of the line readRegular last accepted, in PAYLOAD_KEYS order (reused per line):
 * where each one's text starts and ends in the line, and its value when that differs from the text (escapes).
 */
const spans = new Int32Array(16);
const unescaped: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
unescaped.push(undefined, undefined);

/** The value of payload string k of the line readRegular last accepted. */
function stringOf(line: string, k: number): string {
  return unescaped[k] ?? line.slice(spans[2 * k], spans[2 * k + 1]);
}

/** Whether payload string k of the line readRegular last accepted is `literal`, compared in place. */
function stringIs(line: string, k: number, literal: string): boolean {
  const value = unescaped[k];
  if (value !== undefined) return value === literal;
  const start = spans[2 * k] as number;
  return (spans[2 * k + 1] as number) - start === literal.length && line.startsWith(literal, start);
}

/** readRegularCapture without building its result (see spans); returns where the metadata starts, or -1. */
function readRegular(line: string): number {
  let at = 0;
  for (let k = 0; k < PAYLOAD_KEYS.length; k++) {
    const key = PAYLOAD_KEYS[k] as string;
    if (!line.startsWith(key, at)) return -1;
    const from = at + key.length;
    at = stringAt(line, from);
    if (at < 0) return -1;
    spans[2 * k] = from;
    spans[2 * k + 1] = at;
    unescaped[k] = lastString;
  }
  if (!line.startsWith(AFTER_PAYLOADS, at)) return -1;
  const metadataAt = at + AFTER_PAYLOADS.length;
  TAIL.lastIndex = metadataAt;
  return TAIL.test(line) ? metadataAt : -1;
}

/** The one CSV line of a payload, as the full parser decodes it; `undefined` for anything else. */
function oneCsvLine(line: string, at: number, what: string): string | undefined {
  // SageMaker's usual CSV payload, decoded as decodePayload decodes it (encoding CSV: the text is the data; the
  // content type contains "csv": CSV), without its case conversions and result objects.
  let text: string;
  if (stringIs(line, at + 3, 'CSV') && stringIs(line, at, 'text/csv')) text = stringOf(line, at + 2);
  else {
    const p = {
      observedContentType: stringOf(line, at),
      mode: stringOf(line, at + 1),
      data: stringOf(line, at + 2),
      encoding: stringOf(line, at + 3),
    };
    const decoded = decodePayload(p, what);
    if (decoded.format !== 'csv') return undefined;
    text = decoded.text;
  }
  if (!text.includes('\n')) return text.trim() === '' ? undefined : text;
  const lines = csvLines(text);
  return lines.length === 1 ? lines[0] : undefined;
}

/**
 * Hands the record of a regular line with one CSV row in and one CSV prediction out to `sink` and returns 1;
 * returns `undefined`, having called nothing, for any other line (the caller then uses `parseCaptureLine`).
 * Same record as `parseCaptureLine`: the row split by `splitCsvRow`, the prediction the trimmed output line
 * (its first field when it has several).
 */
export function parseRegularCaptureLine(line: string, sink: CaptureSink): number | undefined {
  const metadataAt = readRegular(line);
  if (metadataAt < 0) return undefined;
  let values: string[] | undefined;
  let row: string | undefined;
  let prediction: string;
  try {
    row = oneCsvLine(line, 0, 'endpointInput');
    const out = oneCsvLine(line, 4, 'endpointOutput')?.trim();
    if (row === undefined || out === undefined) return undefined;
    // A row without quotes splits as row.split(','): a sink with csvRow reads it in place, the same record.
    if (!sink.csvRow || row.includes('"')) values = splitCsvRow(row);
    prediction = out.includes(',') ? (splitCsvRow(out)[0] as string) : out;
  } catch {
    return undefined; // an unknown encoding, an unterminated quote, ...: the full parser reports it
  }
  if (values === undefined) sink.csvRow?.(row, prediction);
  else sink.record(values, prediction);
  // Only a sink that wants the inference time (the drift report) pays for reading the metadata object; the TAIL
  // check above proved it is a flat object of escape-free strings, so this parse cannot fail.
  if (sink.inferenceTime) {
    const end = line.lastIndexOf(',"eventVersion":');
    const metadata = JSON.parse(line.slice(metadataAt, end)) as { inferenceTime?: unknown };
    sink.inferenceTime(metadata.inferenceTime);
  }
  return 1;
}
