/**
 * The baseline command's input: CSV rows as csv-parse tokenizes them, or JSON Lines, as records with their lines.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { UsageError } from '../../lib/cli/args';
import { CsvRow, InputItem, MissingColumnsError, csvItems, jsonlItems } from '../../lib/baseline/input-readers';

/**
 * The rows of a CSV file as csv-parse tokenizes them (RFC 4180 quoting: quoted delimiters, quotes and newlines; BOM
 * stripped), each with the line it ends on; rows it cannot read come as skips, in order.
 */
async function* csvRows(stream: Readable, delimiter: string): AsyncGenerator<CsvRow> {
  const skips: CsvRow[] = [];
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  parser.on('skip', (err: Error & { lines?: number }) =>
    skips.push({ kind: 'skip', line: err.lines ?? 0, reason: err.message }),
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skips.splice(0);
    yield { kind: 'row', line: info.lines, cells: record };
  }
  yield* skips.splice(0);
}

/** The records of the training file; a CSV header without the needed columns is the command line's mistake. */
export async function* inputItems(
  stream: Readable,
  format: string,
  delimiter: string,
  input: string,
  needed: readonly string[],
): AsyncGenerator<InputItem> {
  if (format !== 'csv') return yield* jsonlItems(stream);
  try {
    yield* csvItems(csvRows(stream, delimiter), needed);
  } catch (err) {
    if (!(err instanceof MissingColumnsError)) throw err;
    throw new UsageError(
      `--input ${input}: ${err.message}; fix --features/--prediction-column, --delimiter or the file`,
    );
  }
}

export function delimiterOf(raw: string | undefined): string {
  if (raw === undefined) return ',';
  if (raw === 'tab' || raw === '\\t') return '\t';
  if ([...raw].length !== 1 || raw === '"' || raw === '\n' || raw === '\r')
    throw new UsageError(`--delimiter must be one character other than a quote or newline (or "tab"), got "${raw}"`);
  return raw;
}
