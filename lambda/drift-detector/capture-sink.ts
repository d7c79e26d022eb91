/**
 * What a capture parser hands over and why it refuses records: the sink interface every reader of capture files
 * feeds (the drift accumulator, the report window), the malformed-record reasons the detector publishes, and the
 * error that carries one of them. Shared by the full parser (capture-parser.ts), the payload decoders
 * (capture-payload.ts) and the fast path (capture-line-reader.ts).
 */

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
