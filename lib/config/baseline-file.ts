/**
 * Checks a drift baseline file (`npm run baseline`) against the monitored features, at synth: a mismatch would make
 * the detector fail on every capture file at run time. Used by the config loader only (problems at
 * `models[i].monitoring.baselineFile`): constructs never read files, DriftMonitor just ships the file as an asset.
 */
import { existsSync, readFileSync } from 'node:fs';
import { BASELINE_KIND, BaselineDocument, baselineProblems } from '../../core/contracts/baseline';

export interface MonitoredFeature {
  readonly name: string;
  readonly type: string;
}

/** What is wrong with the baseline file at `file` for these features, each with its fix; empty when it fits. */
export function baselineFileProblems(
  file: string,
  features: readonly MonitoredFeature[],
  model = '<name>',
  /** How the path is shown in messages: as the user wrote it (relative), not as resolved. */
  shown = file,
): string[] {
  const rebuild = `build it with \`npm run baseline -- --config <config> --model ${model} --input <training data> --output ${shown}\``;
  if (!existsSync(file)) return [`baselineFile ${shown} does not exist; ${rebuild}`];
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The parser's message quotes the file's first bytes: never echo a file that may not be a baseline at all.
    return [`baselineFile ${shown} is not valid JSON; re${rebuild}`];
  }
  const kind = (doc as { kind?: unknown } | null)?.kind;
  if (kind !== BASELINE_KIND)
    return [`baselineFile ${shown} is not a drift baseline (its "kind" is not "${BASELINE_KIND}"); ${rebuild}`];
  // The detector parses the file with the same schema at run time: a document it would refuse fails here, at synth.
  const problems = baselineProblems(doc);
  if (problems.length > 0)
    return [`baselineFile ${shown} is not a valid drift baseline: ${problems.join('; ')}; re${rebuild}`];
  const inBaseline = new Map((doc as BaselineDocument).features.map((f) => [f.name, f.distribution.type]));
  const out: string[] = [];
  for (const f of features) {
    const t = inBaseline.get(f.name);
    if (t !== f.type)
      out.push(
        `monitoring.features "${f.name}" (${f.type}) is ${t === undefined ? 'missing from' : `${String(t)} in`} baselineFile ${shown}; regenerate the baseline with the config's features`,
      );
  }
  return out;
}

/** What a model card says about a model's training data, from its drift baseline. */
export interface BaselineFacts {
  /** The training data the baseline was built from, as `npm run baseline` recorded it. */
  readonly sourceFile: string;
  readonly sourceSha256: string;
  readonly recordCount: number;
  readonly createdAt: string;
  /** Fairness of the training data's labels across the sensitive attribute, when the baseline measured it. */
  readonly fairness?: {
    readonly sensitiveAttribute: string;
    readonly demographicParityDifference?: number;
    readonly disparateImpactRatio?: number;
  };
}

/**
 * Reads the facts a model card states from a baseline file the loader has already checked; undefined when the file
 * is absent or not a valid baseline (the loader reports that, with its fix).
 */
export function readBaselineFacts(file: string): BaselineFacts | undefined {
  if (!existsSync(file)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (baselineProblems(doc).length > 0) return undefined;
  const b = doc as BaselineDocument;
  const f = b.fairness;
  return {
    sourceFile: b.source.file,
    sourceSha256: b.source.sha256,
    recordCount: b.recordCount,
    createdAt: b.createdAt,
    ...(f
      ? {
          fairness: {
            sensitiveAttribute: f.sensitiveAttribute,
            ...(f.demographicParityDifference !== undefined
              ? { demographicParityDifference: f.demographicParityDifference }
              : {}),
            ...(f.disparateImpactRatio !== undefined ? { disparateImpactRatio: f.disparateImpactRatio } : {}),
          },
        }
      : {}),
  };
}
