/**
 * Model-quality benchmark: `npm run bench:quality [-- --records 200000 --repeats 3]`.
 *
 * One window of N predictions (the reference model's label, score and gender: scripts/make-example-data.ts) and
 * their ground truth (SageMaker's ground-truth JSON Lines, 10% never arriving) written to a temp file. Measured, each
 * REPEATS times, in CPU time of this process (process.cpuUsage: user + system, all threads):
 *  - ledger: N capture lines read into ledger entries (what the detector does per capture window);
 *  - join + judge: the ground-truth file streamed (line by line) into the join with the ledger, then every metric,
 *    group rate and fairness difference computed — the figure the issue sets a goal for (>= 200,000 labelled records
 *    joined and judged per CPU-second);
 * plus the peak RSS of the process. Figures (medians) go to .bench/quality.json.
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CommandSpec, OptionSpec, intOption, runAsMain } from '../lib/cli/args';
import { qualitySettings } from '../core/contracts/quality';
import { QualityJoin } from '../lambda/drift-detector/quality/join';
import { readCaptureIntoLedger, readGroundTruthIntoJoin } from '../lambda/drift-detector/quality/streams';
import { LedgerEntry } from '../core/contracts/quality';
import { FRAUD_FEATURES, groundTruthText, scoredCaptureText, trainingRecords } from './make-example-data';

const COMMAND = {
  command: 'npm run bench:quality --',
  summary:
    'Labelled records joined and judged per CPU-second (ground truth streamed into the join with a window ledger, then\nevery quality metric), and ledger records per CPU-second; figures to .bench/quality.json.',
  options: {
    records: { type: 'string', valueName: '<n>', description: 'predictions in the window (default 200000)' },
    repeats: { type: 'string', valueName: '<n>', description: 'measurements of each phase (default 3)' },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

const GOAL = 200_000;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(args: { records?: string; repeats?: string }): Promise<number> {
  const n = intOption(args.records, 'records', 1000) ?? 200_000;
  const repeats = intOption(args.repeats, 'repeats', 1) ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'bench-quality-'));
  try {
    process.stderr.write(`bench:quality: generating ${n.toLocaleString('en-US')} predictions and their labels\n`);
    const records = trainingRecords(n, 42);
    const gtFile = join(dir, 'ground-truth.jsonl');
    writeFileSync(gtFile, groundTruthText(records, 43));
    const capture = scoredCaptureText(records);
    const settings = qualitySettings({ minGroupSize: 100 });
    const opts = { settings, features: FRAUD_FEATURES, sensitiveIndex: 3 };

    const ledgerRates: number[] = [];
    const joinRates: number[] = [];
    let labelled = 0;
    let entries: LedgerEntry[] = [];
    for (let r = 0; r < repeats; r++) {
      entries = [];
      const t0 = process.cpuUsage();
      await readCaptureIntoLedger(Readable.from([capture]), opts, {
        entry: (e) => entries.push(e),
        skipped: () => undefined,
      });
      ledgerRates.push(entries.length / cpuSeconds(process.cpuUsage(t0)));

      const join = new QualityJoin(settings);
      for (const e of entries) join.addPrediction(e);
      const t1 = process.cpuUsage();
      await readGroundTruthIntoJoin(createReadStream(gtFile, { highWaterMark: 1 << 20 }), gtFile, join);
      const q = join.result();
      const cpu = cpuSeconds(process.cpuUsage(t1));
      labelled = q.labelled;
      joinRates.push(q.labelled / cpu);
      process.stderr.write(
        `bench:quality: run ${r + 1}/${repeats}: ledger ${Math.round(ledgerRates[r] as number).toLocaleString('en-US')} records/CPU-s; join + judge ${Math.round(joinRates[r] as number).toLocaleString('en-US')} labelled records/CPU-s (accuracy ${q.metrics?.accuracy?.toFixed(4)}, ROC AUC ${q.metrics?.rocAuc?.toFixed(4)})\n`,
      );
    }
    const figures = {
      records: n,
      labelled,
      repeats,
      ledgerRecordsPerCpuSecond: Math.round(median(ledgerRates)),
      joinedAndJudgedPerCpuSecond: Math.round(median(joinRates)),
      goal: GOAL,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      ledgerBytesPerRecord: Math.round(
        Buffer.byteLength(
          entries
            .slice(0, 10_000)
            .map((e) => JSON.stringify(e))
            .join('\n'),
        ) / Math.min(10_000, entries.length),
      ),
      node: process.version,
    };
    mkdirSync('.bench', { recursive: true });
    writeFileSync('.bench/quality.json', `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    const met = figures.joinedAndJudgedPerCpuSecond >= GOAL;
    process.stderr.write(
      `bench:quality: ${figures.joinedAndJudgedPerCpuSecond.toLocaleString('en-US')} labelled records joined and judged per CPU-second (goal ${GOAL.toLocaleString('en-US')}: ${met ? 'met' : 'NOT met'})\n`,
    );
    return met ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runAsMain(COMMAND, main);
