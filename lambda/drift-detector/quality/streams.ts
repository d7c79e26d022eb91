/**
 * Streams capture files into a ledger and ground-truth files into a join, line by line with the drift parser's line
 * splitter: memory holds one line of the file, plus the window's ledger.
 */
import { Readable } from 'node:stream';
import { forEachLine } from '../line-splitter';
import { parseGroundTruthLine } from './ground-truth';
import { QualityJoin } from './join';
import { LedgerReadOptions, LedgerSink, ledgerEntriesOfCaptureLine } from './ledger';

/** Reads a capture stream into `sink`, one ledger entry per readable row. Resolves to the number of lines. */
export async function readCaptureIntoLedger(
  input: Readable,
  opts: LedgerReadOptions,
  sink: LedgerSink,
): Promise<number> {
  let lines = 0;
  await forEachLine(input, (line) => {
    lines++;
    if (line.trim() !== '') ledgerEntriesOfCaptureLine(line, lines, opts, sink);
  });
  return lines;
}

/**
 * Reads a ground-truth stream (`file` names it in messages) into `join`: each line's labels joined, or counted by
 * reason. `arrivedAt`: when the labels arrived (run time: the object's time), for the label-delay limit.
 */
export async function readGroundTruthIntoJoin(
  input: Readable,
  file: string,
  join: QualityJoin,
  arrivedAt?: number,
): Promise<{ lines: number; readable: number }> {
  let lines = 0;
  let readable = 0;
  await forEachLine(input, (line) => {
    lines++;
    if (line.trim() === '') return;
    const read = parseGroundTruthLine(line);
    if (!read.ok) {
      join.unmatchedLabel('unreadable', read.message, { file, line: lines });
      return;
    }
    readable++;
    join.addLabels(read.id, read.labels, { file, line: lines }, arrivedAt);
  });
  return { lines, readable };
}
