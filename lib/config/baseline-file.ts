/**
 * Checks a drift baseline file (`npm run baseline`) against the monitored features, at synth: a mismatch would make
 * the detector fail on every capture file at run time. Used by the config loader only (problems at
 * `models[i].monitoring.baselineFile`): constructs never read files, DriftMonitor just ships the file as an asset.
 */
import { existsSync, readFileSync } from 'node:fs';
import { BASELINE_KIND, BaselineDocument, baselineProblems } from '../contracts/baseline';

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
  } catch (err) {
    return [`baselineFile ${shown} is not valid JSON (${(err as Error).message}); re${rebuild}`];
  }
  const kind = (doc as { kind?: unknown } | null)?.kind;
  if (kind !== BASELINE_KIND)
    return [
      `baselineFile ${shown} is not a drift baseline (kind ${JSON.stringify(kind)}, expected "${BASELINE_KIND}"); ${rebuild}`,
    ];
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
