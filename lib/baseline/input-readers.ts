/**
 * The training-data readers of `npm run baseline` (bin/baseline.ts): rows of a CSV file with a header row, and JSON
 * Lines (one object per line). Both yield each record with the line it ends on, or a skip with its reason; the CLI
 * counts and reports them, the builder (builder.ts) judges the values. Pure like the rest of lib/baseline: the CLI
 * tokenizes the CSV (csv-parse) and hands the rows in.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/** Records of the input, each with the line it ends on; unreadable ones come as `skip` with the reason. */
export type InputItem =
  | { readonly kind: 'record'; readonly line: number; readonly record: Record<string, unknown> }
  | { readonly kind: 'skip'; readonly line: number; readonly reason: string };

/** One tokenized CSV row and the line it ends on (csv-parse's `info.lines`), or a row the tokenizer skipped. */
export type CsvRow =
  | { readonly kind: 'row'; readonly line: number; readonly cells: readonly string[] }
  | { readonly kind: 'skip'; readonly line: number; readonly reason: string };

/** The CSV header lacks columns the baseline needs: the command line (or the file) is wrong, not a record. */
export class MissingColumnsError extends Error {
  constructor(
    readonly missing: readonly string[],
    readonly header: readonly string[],
  ) {
    super(`the CSV header lacks column(s) ${missing.join(', ')} (header: ${header.join(', ')})`);
    this.name = 'MissingColumnsError';
  }
}

/**
 * Records from CSV rows: the first row is the header (trimmed) and must hold every `needed` column; a row with
 * another number of fields is skipped, naming both counts.
 */
export async function* csvItems(rows: AsyncIterable<CsvRow>, needed: readonly string[]): AsyncGenerator<InputItem> {
  let header: string[] | undefined;
  for await (const row of rows) {
    if (row.kind === 'skip') {
      yield row;
      continue;
    }
    if (header === undefined) {
      header = row.cells.map((h) => h.trim());
      const missing = needed.filter((n) => !header!.includes(n));
      if (missing.length > 0) throw new MissingColumnsError(missing, header);
      continue;
    }
    if (row.cells.length !== header.length) {
      yield { kind: 'skip', line: row.line, reason: `${row.cells.length} fields, header has ${header.length}` };
      continue;
    }
    const record: Record<string, unknown> = {};
    header.forEach((h, i) => (record[h] = row.cells[i]));
    yield { kind: 'record', line: row.line, record };
  }
}

/** Records from JSON Lines: each non-empty line one JSON object, else a skip with the parser's reason. */
export async function* jsonlItems(stream: Readable): AsyncGenerator<InputItem> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      yield { kind: 'record', line, record: parsed as Record<string, unknown> };
    } catch (err) {
      yield { kind: 'skip', line, reason: `not a JSON object (${(err as Error).message})` };
    }
  }
}
