/**
 * The files `npm run drift:report` reads: the baseline (checked and hashed), capture and ground-truth files under a
 * path, each opened as a stream (gunzipped when .gz), and the capture files streamed through the detector's parser. What cannot be read is an InputProblem (exit 2).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../lib/cli/args';
import { BaselineDocument, validateBaseline } from '../../core/contracts/baseline';
import { FeatureSpec } from '../../core/contracts/drift-detector';
import { parseCaptureStream } from '../../lambda/drift-detector/capture-parser';
import { CaptureSink } from '../../lambda/drift-detector/capture-sink';

/** A missing or mismatched baseline, an invalid --config, or unreadable capture input: exit 2 with the message. */
export class InputProblem extends InputError {}

/** Capture files under a path: the file itself, or every regular file of a folder (recursively, sorted). */
export function captureFiles(path: string): string[] {
  if (!existsSync(path))
    throw new InputProblem(
      `--capture ${path} does not exist: give a data-capture file (.jsonl, .jsonl.gz) or a folder of them`,
    );
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...captureFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The baseline document, validated, and the sha256 of its bytes. */
export function readBaseline(file: string): { doc: BaselineDocument; sha256: string } {
  if (!existsSync(file))
    throw new InputProblem(
      `--baseline ${file} does not exist; build one with \`npm run baseline -- --input <training data> --output ${file} ...\` or point at the model's monitoring.baselineFile`,
    );
  const bytes = readFileSync(file);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputProblem(
      `--baseline ${file} is not valid JSON (${(err as Error).message}); regenerate it with \`npm run baseline\``,
    );
  }
  try {
    return { doc: validateBaseline(doc, file), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (err) {
    throw new InputProblem((err as Error).message);
  }
}

/** A readable stream of a file, gunzipped when it ends in .gz; `onRead` sees each chunk's size as read from disk. */
export function openFile(file: string, onRead?: (bytes: number) => void): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (onRead) raw.on('data', (chunk) => onRead(chunk.length));
  // pipeline (not pipe) so an error of the file stream reaches the gunzip stream the parser reads.
  return file.endsWith('.gz') ? pipeline(raw, createGunzip(), () => undefined) : raw;
}

export interface CaptureProgress {
  /** When the run started (progress lines say how long it has been). */
  readonly started: number;
  /** Records read so far, judged or skipped. */
  readonly records: () => number;
  /** Where a progress line goes, at most every 2 s. @default - no progress lines */
  readonly progress?: (line: string) => void;
}

/** Streams every capture file through the detector's parser into `sink`; a file that cannot be read is an InputProblem. */
export async function readCaptures(
  files: readonly string[],
  features: readonly FeatureSpec[],
  sink: CaptureSink,
  { started, records, progress }: CaptureProgress,
): Promise<void> {
  const totalBytes = files.reduce((a, f) => a + statSync(f).size, 0);
  let doneBytes = 0;
  let lastProgress = Date.now();
  for (const [i, file] of files.entries()) {
    let read = 0;
    const source = openFile(file, (bytes) => {
      read += bytes;
      if (progress && Date.now() - lastProgress >= 2000) {
        lastProgress = Date.now();
        progress(
          `drift:report: ${i + 1}/${files.length} ${file}: ${(((doneBytes + read) / Math.max(1, totalBytes)) * 100).toFixed(0)}% of ${(totalBytes / 2 ** 20).toFixed(1)} MB, ${records().toLocaleString('en-US')} records, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
      }
    });
    try {
      await parseCaptureStream(source, features, sink);
    } catch (err) {
      throw new InputProblem(`capture file ${file} cannot be read: ${(err as Error).message}`);
    }
    doneBytes += statSync(file).size;
  }
}
