import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationReport } from './audit';

export interface OpenFinding {
  readonly pack: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** Open (unacknowledged) findings of the given severities in a cloud assembly's validation-report.json. */
export function openFindings(assemblyDir: string, severities: readonly string[]): OpenFinding[] {
  const file = join(assemblyDir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport & {
    pluginReports: ReadonlyArray<{ violations: ReadonlyArray<{ severity?: string }> }>;
  };
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      severities.includes((v as { severity?: string }).severity ?? '')
        ? v.violatingConstructs.map((c) => ({
            pack: p.pluginName,
            rule: v.ruleName,
            severity: (v as { severity?: string }).severity ?? '',
            path: c.constructPath,
          }))
        : [],
    ),
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
  for (const w of warnings) console.error(`  [${w.pack}] ${w.rule} at ${w.path}`);
  console.error(`Full report: ${join(assemblyDir, 'validation-report.json')} (npm run report for Markdown/HTML/SARIF)`);
  return 1;
}
