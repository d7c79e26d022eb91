/**
 * Security report from the last `cdk synth`:
 *   npm run report -- [--assembly cdk.out] [--out <assembly>/reports] [--config cdk.json] [--base <dir|file>]
 * Writes security-report.{sarif,md,html}. `--config` names the config file synthesized (provenance, and the SARIF
 * location of findings without a source frame); `--base` is the base branch's assembly directory or its
 * validation-report.json, to list new and fixed findings in the Markdown. Exit 0: the synth gate passed (no open
 * findings); 1: it failed (the verdict in policy-gate.json, the file `cdk synth` wrote); 2: the validation report is
 * missing or unreadable, or the arguments are wrong.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHtml } from '../lib/reports/html';
import { toMarkdown } from '../lib/reports/markdown';
import { collectProvenance } from '../lib/reports/provenance';
import { toSarif } from '../lib/reports/sarif';
import {
  ValidationReportError,
  buildSecurityReport,
  loadSecurityReport,
  parseValidationReport,
  readGateDocument,
} from '../lib/reports/validation-report';
import { countByStatus, summaryLine } from '../lib/reports/finding-labels';
import { CommandSpec, OptionSpec, runAsMain } from '../lib/cli/args';

const REPORT_COMMAND = {
  command: 'npm run report --',
  summary: 'Writes security-report.{sarif,md,html} from the validation report of the last `cdk synth`.',
  options: {
    assembly: { type: 'string', valueName: '<dir>', description: 'cloud assembly directory (default cdk.out)' },
    out: { type: 'string', valueName: '<dir>', description: 'where the reports go (default <assembly>/reports)' },
    config: {
      type: 'string',
      valueName: '<file>',
      description: 'config file that was synthesized: provenance and SARIF locations (default cdk.json)',
    },
    base: {
      type: 'string',
      valueName: '<dir|file>',
      description: "base branch's assembly or validation-report.json: new and fixed findings in the Markdown",
    },
  },
  epilogue:
    'exit codes: 0 no open findings; 1 open findings (CI gate); 2 validation report missing/unreadable or bad arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

/** The base report: an assembly directory, or a validation-report.json file. */
function loadBase(base: string) {
  if (statSync(base, { throwIfNoEntry: false })?.isDirectory()) return loadSecurityReport(base);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(base, 'utf8'));
  } catch (e) {
    throw new ValidationReportError(`--base ${base}: cannot read it as JSON (${(e as Error).message})`);
  }
  return buildSecurityReport(parseValidationReport(json, base));
}

function main(values: { assembly?: string; out?: string; config?: string; base?: string }): number {
  try {
    const assembly = values.assembly ?? 'cdk.out';
    const out = values.out ?? join(assembly, 'reports');
    const config = values.config ?? 'cdk.json';
    const base = values.base;
    const report = loadSecurityReport(assembly);
    const provenance = collectProvenance({ configFile: config });
    mkdirSync(out, { recursive: true });
    const files = {
      'security-report.sarif': `${JSON.stringify(toSarif(report, { assemblyDir: assembly, configFile: config }), null, 2)}\n`,
      'security-report.md': toMarkdown(report, { provenance, ...(base ? { base: loadBase(base) } : {}) }),
      'security-report.html': toHtml(report, { provenance }),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content);
    const { open } = countByStatus(report.findings);
    // The synth gate's verdict when synth wrote one (the same file the gate wrote): the report never passes what the
    // gate failed. An older assembly without it is judged by its open findings.
    const gate = readGateDocument(assembly);
    const fail = gate ? gate.verdict === 'fail' : open > 0;
    console.log(
      `Wrote ${Object.keys(files)
        .map((f) => join(out, f))
        .join(', ')}`,
    );
    console.log(`${fail ? 'FAIL' : 'PASS'}: ${summaryLine(report)}`);
    return fail ? 1 : 0;
  } catch (e) {
    if (e instanceof ValidationReportError) {
      console.error(`report: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

runAsMain(REPORT_COMMAND, main);
