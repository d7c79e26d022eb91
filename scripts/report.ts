/**
 * Security report from the last `cdk synth`:
 *   tsx scripts/report.ts [--assembly cdk.out] [--out <assembly>/reports]
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

const USAGE = 'usage: tsx scripts/report.ts [--assembly cdk.out] [--out cdk.out/reports]';

function parseArgs(argv: readonly string[]): { assembly: string; out: string } {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if ((flag !== '--assembly' && flag !== '--out') || value === undefined || value === '') {
      throw new UsageError(`unexpected argument ${JSON.stringify(argv[i] ?? flag)}\n${USAGE}`);
    }
    opts[flag.slice(2)] = value;
  }
  const assembly = opts.assembly ?? 'cdk.out';
  return { assembly, out: opts.out ?? join(assembly, 'reports') };
}

class UsageError extends Error {}

function main(): number {
  try {
    const { assembly, out } = parseArgs(process.argv.slice(2));
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
    if (e instanceof ValidationReportError || e instanceof UsageError) {
      console.error(`report: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main();
