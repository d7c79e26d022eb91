/**
 * Security report from the last `cdk synth`:
 *   tsx scripts/report.ts [--assembly cdk.out] [--out <assembly>/reports] [--config cdk.json] [--base <dir|file>]
 * Writes security-report.{sarif,md,html}. `--config` names the config file synthesized (provenance, and the SARIF
 * location of findings without a source frame); `--base` is the base branch's assembly directory or its
 * validation-report.json, to list new and fixed findings in the Markdown. Exit 0: no open findings; 1: open findings (CI gate); 2: the validation
 * report is missing or unreadable, or the arguments are wrong.
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
  countByStatus,
  loadSecurityReport,
  parseValidationReport,
  summaryLine,
} from '../lib/reports/validation-report';

const USAGE =
  'usage: tsx scripts/report.ts [--assembly cdk.out] [--out cdk.out/reports] [--config cdk.json] [--base <dir|file>]';
const FLAGS = ['--assembly', '--out', '--config', '--base'];

interface Args {
  readonly assembly: string;
  readonly out: string;
  readonly config: string;
  readonly base?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (!FLAGS.includes(flag!) || value === undefined || value === '') {
      throw new UsageError(`unexpected argument ${JSON.stringify(argv[i] ?? flag)}\n${USAGE}`);
    }
    opts[flag!.slice(2)] = value;
  }
  const assembly = opts.assembly ?? 'cdk.out';
  return {
    assembly,
    out: opts.out ?? join(assembly, 'reports'),
    config: opts.config ?? 'cdk.json',
    ...(opts.base ? { base: opts.base } : {}),
  };
}

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

class UsageError extends Error {}

function main(): number {
  try {
    const { assembly, out, config, base } = parseArgs(process.argv.slice(2));
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
