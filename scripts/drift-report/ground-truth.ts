/**
 * `npm run drift:report --ground-truth`: the captured predictions read again into a ledger, the labels joined to
 * them, and the quality report with its one-line summary.
 */
import { existsSync } from 'node:fs';
import { MonitoringConfig } from '../../lib/config/schema';
import { DRIFT_THRESHOLD_DEFAULTS } from '../../core/contracts/drift-report';
import { QualitySettings, qualitySettings } from '../../core/contracts/quality';
import { FeatureSpec } from '../../core/contracts/drift-detector';
import { BaselineDocument } from '../../core/contracts/baseline';
import { QualityJoin, QualityReport } from '../../lambda/drift-detector/quality/join';
import { readCaptureIntoLedger, readGroundTruthIntoJoin } from '../../lambda/drift-detector/quality/streams';
import { InputProblem, captureFiles, openFile } from './inputs';
import { DriftReportValues, numberFlag } from './options';

/**
 * The quality settings of --model's monitoring.quality (defaults without one; the positive label and sensitive
 * attribute then come from the baseline), with --min-labelled and --min-group-size over them.
 */
function qualitySettingsOf(
  monitoring: MonitoringConfig | undefined,
  baseline: BaselineDocument,
  values: DriftReportValues,
): QualitySettings {
  const minLabelledRaw = values['min-labelled'];
  const minGroupSizeRaw = values['min-group-size'];
  const q = monitoring?.quality;
  const positiveLabel = monitoring?.positiveLabel ?? baseline.fairness?.positiveLabel;
  return qualitySettings({
    ...(q ?? {}),
    ...(positiveLabel !== undefined ? { positiveLabel } : {}),
    minGroupSize:
      minGroupSizeRaw !== undefined
        ? numberFlag('min-group-size', minGroupSizeRaw, true)
        : (monitoring?.thresholds.minGroupSize ?? DRIFT_THRESHOLD_DEFAULTS.minGroupSize),
    ...(minLabelledRaw !== undefined
      ? { minLabelled: Math.max(1, numberFlag('min-labelled', minLabelledRaw, true)) }
      : {}),
  });
}

/**
 * Reads the captures again into a prediction ledger (id, prediction, score, group), then the ground-truth files into
 * the join. A ground-truth file none of whose lines is a ground-truth record is refused (exit 2) with its first
 * line's problem; single bad lines are counted by reason in the report.
 */
export async function joinGroundTruth(
  values: DriftReportValues,
  captureFilesRead: readonly string[],
  features: readonly FeatureSpec[],
  monitoring: MonitoringConfig | undefined,
  baseline: BaselineDocument,
  stderr: (s: string) => void,
): Promise<QualityReport> {
  const groundTruth = values['ground-truth'] ?? [];
  const settings = qualitySettingsOf(monitoring, baseline, values);
  const sensitive = monitoring?.sensitiveAttribute ?? baseline.fairness?.sensitiveAttribute;
  const sensitiveIndex = sensitive !== undefined ? features.findIndex((f) => f.name === sensitive) : -1;
  const join = new QualityJoin(settings);
  const skipped = new Map<string, { count: number; example: string }>();
  for (const file of captureFilesRead) {
    await readCaptureIntoLedger(
      openFile(file),
      { settings, features, ...(sensitiveIndex >= 0 ? { sensitiveIndex } : {}) },
      {
        entry: (e) => join.addPrediction(e),
        skipped: (n, reason, message, line) => {
          join.predictionSkipped(reason, n);
          const s = skipped.get(reason) ?? { count: 0, example: `${file}:${line}: ${message}` };
          s.count += n;
          skipped.set(reason, s);
        },
      },
    );
  }
  for (const [reason, s] of skipped)
    stderr(`drift:report: ${s.count} captured row(s) cannot wait for a label (${reason}), e.g. ${s.example}\n`);
  const files = groundTruth.flatMap((path) => {
    if (!existsSync(path))
      throw new InputProblem(
        `--ground-truth ${path} does not exist: give a file of SageMaker ground-truth lines (.jsonl) or a folder of them`,
      );
    return captureFiles(path);
  });
  if (files.length === 0) throw new InputProblem(`--ground-truth ${groundTruth.join(', ')}: no files found`);
  for (const file of files) {
    const before = join.result().unmatchedLabelsByReason.unreadable;
    let read: { lines: number; readable: number };
    try {
      read = await readGroundTruthIntoJoin(openFile(file), file, join);
    } catch (err) {
      throw new InputProblem(`ground-truth file ${file} cannot be read: ${(err as Error).message}`);
    }
    if (read.readable === 0 && read.lines > 0 && join.result().unmatchedLabelsByReason.unreadable > before)
      throw new InputProblem(
        `ground-truth file ${file} holds no ground-truth record: ${join.result().unmatchedLabelExamples.unreadable ?? ''}`,
      );
  }
  return join.result();
}

/** The quality report in one line (and the examples of unjoined labels below it). */
export function qualityLine(q: QualityReport): string {
  const why = Object.entries(q.unmatchedLabelsByReason)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  const metrics =
    q.metrics === null
      ? `NOT JUDGED (${q.labelled} labelled, fewer than minLabelled ${q.minLabelled})`
      : Object.entries(q.metrics)
          .map(([k, v]) => `${k} ${v === null ? '–' : v.toFixed(4)}`)
          .join(', ');
  const flagged = q.verdicts.filter((v) => v.status !== 'ok').map((v) => `${v.metric} ${v.status.toUpperCase()}`);
  return `quality: ${q.labelled.toLocaleString('en-US')} labelled, ${q.predictionsWithoutLabel.toLocaleString('en-US')} predictions without a label, ${q.unmatchedLabels.toLocaleString('en-US')} labels not joined${why ? ` (${why})` : ''}; ${metrics}${flagged.length ? `; ${flagged.join(', ')}` : ''}${
    Object.keys(q.unmatchedLabelExamples).length
      ? `\n${Object.entries(q.unmatchedLabelExamples)
          .map(([r, e]) => `  ${r}: ${e}`)
          .join('\n')}`
      : ''
  }`;
}
