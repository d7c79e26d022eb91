import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  normalizeFindings,
  readValidationReport,
  SecurityFinding,
  VALIDATION_REPORT_FILE,
  ViolationSeverity,
} from './validation-report';

/** Open (unacknowledged) findings of the given severities in a cloud assembly's validation-report.json. */
export function openFindings(assemblyDir: string, severities: readonly ViolationSeverity[]): SecurityFinding[] {
  // No report at all means no validation plugin ran: nothing to gate.
  if (!existsSync(join(assemblyDir, VALIDATION_REPORT_FILE))) return [];
  return normalizeFindings(readValidationReport(assemblyDir)).filter(
    (f) => f.status === 'open' && severities.includes(f.severity),
  );
}

/**
 * The CDK CLI fails `cdk synth` on error findings but lets warnings through unless `--strict` is given. Policy
 * warnings must fail synth too, so the app checks its own report: any open warning makes the process exit non-zero
 * (errors are left to the CLI, which prints them in full). `MLOPS_REPORT_ONLY=true` turns the gate off for
 * report-only runs, together with `cdk synth --ignore-errors`.
 */
export function failOnOpenWarnings(assemblyDir: string, env: NodeJS.ProcessEnv = process.env): number {
  if (env.MLOPS_REPORT_ONLY === 'true') return 0;
  const warnings = openFindings(assemblyDir, ['warning']);
  if (warnings.length === 0) return 0;
  console.error(
    `Policy gate: ${warnings.length} unacknowledged warning(s); fix them or acknowledge each with a reason (lib/nag/acknowledgements.ts):`,
  );
  for (const w of warnings) console.error(`  [${w.pack}] ${w.findingId} at ${w.constructPath}`);
  console.error(`Full report: ${join(assemblyDir, VALIDATION_REPORT_FILE)} (npm run report for Markdown/HTML/SARIF)`);
  return 1;
}
