/**
 * Security report from the last `cdk synth`:
 *   npm run report -- [--assembly cdk.out] [--out <assembly>/reports]   (--help for the usage)
 * Writes security-report.{sarif,md,html}. Exit 0: no open findings; 1: open findings (CI gate); 2: the validation
 * report is missing or unreadable, or the arguments are wrong.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHtml } from '../lib/reports/html';
import { toMarkdown } from '../lib/reports/markdown';
import { toSarif } from '../lib/reports/sarif';
import {
  ValidationReportError,
  countByStatus,
  loadSecurityReport,
  summaryLine,
} from '../lib/reports/validation-report';
import { CommandSpec, OptionSpec, runCommand } from '../lib/cli/args';

const REPORT_COMMAND = {
  command: 'npm run report --',
  summary: 'Writes security-report.{sarif,md,html} from the validation report of the last `cdk synth`.',
  options: {
    assembly: { type: 'string', valueName: '<dir>', description: 'cloud assembly directory (default cdk.out)' },
    out: { type: 'string', valueName: '<dir>', description: 'where the reports go (default <assembly>/reports)' },
  },
  epilogue:
    'exit codes: 0 no open findings; 1 open findings (CI gate); 2 validation report missing/unreadable or bad arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

function main(values: { assembly?: string; out?: string }): number {
  try {
    const assembly = values.assembly ?? 'cdk.out';
    const out = values.out ?? join(assembly, 'reports');
    const report = loadSecurityReport(assembly);
    mkdirSync(out, { recursive: true });
    const files = {
      'security-report.sarif': `${JSON.stringify(toSarif(report, { assemblyDir: assembly }), null, 2)}\n`,
      'security-report.md': toMarkdown(report),
      'security-report.html': toHtml(report),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content);
    const { open } = countByStatus(report.findings);
    console.log(
      `Wrote ${Object.keys(files)
        .map((f) => join(out, f))
        .join(', ')}`,
    );
    console.log(`${open === 0 ? 'PASS' : 'FAIL'}: ${summaryLine(report)}`);
    return open === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof ValidationReportError) {
      console.error(`report: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

void runCommand(REPORT_COMMAND, process.argv.slice(2), main).then((code) => {
  process.exitCode = code;
});
