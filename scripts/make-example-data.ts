/**
 * Deterministic synthetic data for the default model (fraud-xgb): training records, and SageMaker data-capture
 * files with or without drift. Seeded PRNG, so the same arguments always give the same bytes; the committed
 * baseline (baselines/fraud-xgb.json) is built from `--train` output of this script, and tests and the benchmark
 * import the generator functions.
 *
 *   npx tsx scripts/make-example-data.ts --out /tmp/fraud [--records 20000] [--seed 42] [--baseline baselines/fraud-xgb.json]
 *
 * writes <out>/train.csv, <out>/capture-undrifted.jsonl, <out>/capture-drifted.jsonl, <out>/capture-labelled.jsonl
 * (the reference model's label and score) with <out>/ground-truth.jsonl (its labels, SageMaker's ground-truth
 * format, 10% never arriving) and, with --baseline, builds the baseline from train.csv (createdAt honours SOURCE_DATE_EPOCH, for a reproducible committed file).
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runBaselineCli } from '../bin/baseline';
import { CommandSpec, OptionSpec, UsageError, intOption, runAsMain } from '../lib/cli/args';

export const FRAUD_FEATURES = [
  { name: 'amount', type: 'numeric' },
  { name: 'merchant_category', type: 'categorical' },
  { name: 'account_age_days', type: 'numeric' },
  { name: 'gender', type: 'categorical' },
] as const;

/** mulberry32: tiny, fast, and good enough for synthetic data; not for anything secret. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rng: () => number): number {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function pick<T>(rng: () => number, items: readonly (readonly [T, number])[]): T {
  let r = rng() * items.reduce((a, [, w]) => a + w, 0);
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

export interface FraudRecord {
  readonly amount: number;
  readonly merchant_category: string;
  readonly account_age_days: number;
  readonly gender: string;
  readonly label: 0 | 1;
  /** The stand-in model's score, sigmoid(logit): `label` is score > 0.5. Drawn from no extra random number. */
  readonly score: number;
}

export interface ScenarioOptions {
  /** Shift the inputs: larger amounts, younger accounts, more online/electronics and an unseen category. @default false */
  readonly drifted?: boolean;
  /** Extra logit for gender F: makes the model unfair across gender (disparate impact < 0.8). @default 0 */
  readonly genderBias?: number;
}

const CATEGORIES = [
  ['grocery', 30],
  ['restaurants', 20],
  ['fuel', 15],
  ['travel', 10],
  ['electronics', 10],
  ['online', 15],
] as const;
const DRIFTED_CATEGORIES = [
  ['grocery', 10],
  ['restaurants', 10],
  ['fuel', 5],
  ['travel', 10],
  ['electronics', 25],
  ['online', 30],
  ['crypto', 10],
] as const;
const CATEGORY_LOGIT: Record<string, number> = { online: 1.0, electronics: 0.7, travel: 0.3, crypto: 1.5 };

/** One record; `label` is the stand-in model's prediction, so prediction drift follows feature drift. */
export function fraudRecord(rng: () => number, opts: ScenarioOptions = {}): FraudRecord {
  const drifted = opts.drifted ?? false;
  const amount = Math.round(Math.exp((drifted ? 4.4 : 3.7) + 0.9 * normal(rng)) * 100) / 100;
  const merchant_category = pick(rng, drifted ? DRIFTED_CATEGORIES : CATEGORIES);
  const account_age_days = Math.min(3650, Math.floor(-Math.log(1 - rng()) * (drifted ? 250 : 700)));
  const gender = pick(rng, [
    ['F', 49],
    ['M', 49],
    ['X', 2],
  ] as const);
  const logit =
    -0.5 +
    0.9 * Math.log(amount / 40) +
    (CATEGORY_LOGIT[merchant_category] ?? 0) -
    account_age_days / 900 +
    (gender === 'F' ? (opts.genderBias ?? 0) : 0) +
    0.5 * normal(rng);
  return {
    amount,
    merchant_category,
    account_age_days,
    gender,
    label: logit > 0 ? 1 : 0,
    score: 1 / (1 + Math.exp(-logit)),
  };
}

/** The baseline CLI arguments that build the committed example baseline from this script's training file. */
export function exampleBaselineArgs(train: string, output: string, records: number, seed: number): string[] {
  return [
    '--input',
    train,
    '--features',
    FRAUD_FEATURES.map((f) => `${f.name}:${f.type}`).join(','),
    '--prediction-column',
    'label',
    '--sensitive-attribute',
    'gender',
    '--positive-label',
    '1',
    '--source-name',
    `scripts/make-example-data.ts --records ${records} --seed ${seed} (train.csv)`,
    '--output',
    output,
  ];
}

export function trainingCsvHeader(): string {
  return 'amount,merchant_category,account_age_days,gender,label';
}

export function trainingCsvRow(r: FraudRecord): string {
  return `${r.amount},${r.merchant_category},${r.account_age_days},${r.gender},${r.label}`;
}

export type CaptureEncoding = 'CSV' | 'JSON' | 'BASE64';

/** One SageMaker data-capture line for a single-row invocation (CSV in, CSV out unless `encoding` says otherwise). */
export function captureLine(
  r: FraudRecord,
  seq: number,
  encoding: CaptureEncoding = 'CSV',
  when = new Date(Date.UTC(2026, 0, 1)),
  withScore = false,
): string {
  const csvIn = `${r.amount},${r.merchant_category},${r.account_age_days},${r.gender}`;
  const input =
    encoding === 'JSON'
      ? {
          observedContentType: 'application/json',
          mode: 'INPUT',
          data: JSON.stringify({ instances: [[r.amount, r.merchant_category, r.account_age_days, r.gender]] }),
          encoding: 'JSON',
        }
      : encoding === 'BASE64'
        ? {
            observedContentType: 'text/csv',
            mode: 'INPUT',
            data: Buffer.from(csvIn).toString('base64'),
            encoding: 'BASE64',
          }
        : { observedContentType: 'text/csv', mode: 'INPUT', data: csvIn, encoding: 'CSV' };
  const output = withScore
    ? {
        // The reference model's answer (images/reference-model): a label and a score per row.
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: JSON.stringify({ predictions: [{ score: r.score, label: r.label }] }),
        encoding: 'JSON',
      }
    : encoding === 'JSON'
      ? {
          observedContentType: 'application/json',
          mode: 'OUTPUT',
          data: JSON.stringify({ predictions: [r.label] }),
          encoding: 'JSON',
        }
      : { observedContentType: 'text/csv; charset=utf-8', mode: 'OUTPUT', data: `${r.label}\n`, encoding: 'CSV' };
  return JSON.stringify({
    captureData: { endpointInput: input, endpointOutput: output },
    eventMetadata: {
      eventId: exampleEventId(seq),
      inferenceTime: new Date(when.getTime() + seq).toISOString(),
    },
    eventVersion: '0',
  });
}

/** The eventId of the seq-th example capture record. */
export function exampleEventId(seq: number): string {
  return `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
}

/** One line of SageMaker's ground-truth format labelling the capture record `eventId`. */
export function groundTruthLine(eventId: string, label: string | number): string {
  return JSON.stringify({
    groundTruthData: { data: String(label), encoding: 'CSV' },
    eventMetadata: { eventId },
    eventVersion: '0',
  });
}

export interface GroundTruthOptions {
  /** Share of records whose label never arrives. @default 0.1 */
  readonly missingShare?: number;
}

/**
 * The true outcomes of captured records, drawn from the model's own (calibrated) score: the label is 1 with
 * probability `score`, from a PRNG of its own (`seed`), so the capture files stay byte for byte what they were.
 * Records whose label never arrives (missingShare) are left out.
 */
export function groundTruthText(records: readonly FraudRecord[], seed: number, opts: GroundTruthOptions = {}): string {
  const rng = makeRng(seed);
  const missing = opts.missingShare ?? 0.1;
  const lines: string[] = [];
  records.forEach((r, i) => {
    const truth = rng() < r.score ? 1 : 0;
    if (rng() >= missing) lines.push(groundTruthLine(exampleEventId(i), truth));
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Capture lines with scores (the reference model's output) for `records`, in memory. */
export function scoredCaptureText(records: readonly FraudRecord[]): string {
  return records.map((r, i) => `${captureLine(r, i, 'CSV', undefined, true)}\n`).join('');
}

async function writeLines(out: Writable, n: number, line: (i: number) => string): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function writeTrainingCsv(
  path: string,
  n: number,
  seed: number,
  opts: ScenarioOptions = {},
): Promise<void> {
  const rng = makeRng(seed);
  const out = createWriteStream(path);
  out.write(`${trainingCsvHeader()}\n`);
  await writeLines(out, n, () => trainingCsvRow(fraudRecord(rng, opts)));
}

export async function writeCaptureFile(
  path: string,
  n: number,
  seed: number,
  opts: ScenarioOptions = {},
  encoding: CaptureEncoding = 'CSV',
): Promise<void> {
  const rng = makeRng(seed);
  await writeLines(createWriteStream(path), n, (i) => captureLine(fraudRecord(rng, opts), i, encoding));
}

/** In-memory capture file, for tests. */
export function captureText(
  n: number,
  seed: number,
  opts: ScenarioOptions = {},
  encoding: CaptureEncoding = 'CSV',
): string {
  const rng = makeRng(seed);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(captureLine(fraudRecord(rng, opts), i, encoding));
  return `${lines.join('\n')}\n`;
}

/** Training records in memory, for tests. */
export function trainingRecords(n: number, seed: number, opts: ScenarioOptions = {}): FraudRecord[] {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => fraudRecord(rng, opts));
}

export const TRAINING_SEED = 42;
export const TRAINING_RECORDS = 20_000;

export const EXAMPLE_DATA_COMMAND = {
  command: 'npx tsx scripts/make-example-data.ts',
  summary: 'Writes seeded synthetic training data and capture files (undrifted and drifted), optionally a baseline.',
  options: {
    out: { type: 'string', valueName: '<dir>', description: 'where train.csv and the capture files go (required)' },
    records: { type: 'string', valueName: '<n>', description: `training records (default ${TRAINING_RECORDS})` },
    seed: { type: 'string', valueName: '<n>', description: `random seed (default ${TRAINING_SEED})` },
    baseline: { type: 'string', valueName: '<file>', description: 'also build the baseline from train.csv' },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

async function main(args: { out?: string; records?: string; seed?: string; baseline?: string }): Promise<number> {
  const outDir = args.out;
  if (!outDir) throw new UsageError('--out <directory> is required: where train.csv and the capture files go');
  const records = intOption(args.records, 'records', 1) ?? TRAINING_RECORDS;
  const seed = intOption(args.seed, 'seed', 0) ?? TRAINING_SEED;
  mkdirSync(outDir, { recursive: true });
  const train = join(outDir, 'train.csv');
  await writeTrainingCsv(train, records, seed);
  await writeCaptureFile(join(outDir, 'capture-undrifted.jsonl'), 2000, seed + 1);
  await writeCaptureFile(join(outDir, 'capture-drifted.jsonl'), 2000, seed + 2, { drifted: true });
  // Labelled traffic: the reference model's label and score, and the ground truth that arrives later for 90% of it.
  const labelled = trainingRecords(2000, seed + 3);
  writeFileSync(join(outDir, 'capture-labelled.jsonl'), scoredCaptureText(labelled));
  writeFileSync(join(outDir, 'ground-truth.jsonl'), groundTruthText(labelled, seed + 4));
  process.stderr.write(
    `wrote ${train} (${records} records), 3 capture files and ground-truth.jsonl (labels of capture-labelled.jsonl) to ${outDir}\n`,
  );
  const baselineOut = args.baseline;
  if (baselineOut) {
    await runBaselineCli(exampleBaselineArgs(train, baselineOut, records, seed));
  }
  return 0;
}

if (require.main === module) {
  runAsMain(EXAMPLE_DATA_COMMAND, main);
}
