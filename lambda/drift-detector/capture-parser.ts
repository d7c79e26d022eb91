/**
 * Streams SageMaker data-capture files (JSON Lines, one line per invocation) into records.
 *
 * A line: {"captureData":{"endpointInput":{observedContentType, mode, data, encoding},
 *          "endpointOutput":{...}}, "eventMetadata":{eventId, inferenceTime}, "eventVersion":"0"}
 * Its payloads are decoded by capture-payload.ts (which lists the formats read); regular CSV lines take the fast
 * path of capture-line-reader.ts.
 * Rows whose count differs from the predictions' count cannot be paired: all of that invocation's rows are malformed.
 */
import { Readable } from 'node:stream';
import { parseRegularCaptureLine } from './capture-line-reader';
import { CapturedPayload, inputRows, outputPredictions, parseJson } from './capture-payload';
import { CaptureFormatError, CaptureSink } from './capture-sink';
import { forEachLine } from './line-splitter';
import { FeatureSpec } from '../../core/contracts/drift-detector';

export interface ParseStats {
  readonly lines: number;
  readonly records: number;
  readonly malformed: number;
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
