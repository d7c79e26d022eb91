/**
 * The synth gate: the app's own verdict over the WHOLE cloud assembly, after `app.synth()`.
 *
 * Why the app decides and not the CDK CLI: the CLI judges policy findings only in the stacks it selected, and with a
 * `pipeline` block the environments are Stages in nested assemblies that `cdk synth` without a selector does not
 * select, so their errors were written to validation-report.json and dropped with exit 0 (aws/aws-cdk-cli#1974).
 * Here every open finding of every severity from every pack, in every stack, fails the process; so does every
 * acknowledgement that is scoped wider than one construct subtree, gives no real reason, reuses one reason across
 * unrelated rules, or removes nothing (lib/nag/acknowledgement-policy.ts), and the findings such an
 * acknowledgement removed count as open again.
 *
 * The verdict, the stacks and every acknowledgement (scope, reason, what it removed) are written to
 * `<assembly>/policy-gate.json`; `npm run report` reads it, so the reports and their exit code say what the gate
 * said. `MLOPS_REPORT_ONLY=true` (with `cdk synth --ignore-errors`) is the one report-only mode: everything is
 * written and printed, nothing fails.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ACKNOWLEDGEMENT_PACK, ACKNOWLEDGEMENT_RULES, AcknowledgementRule } from '../nag/acknowledgement-policy';
import { POLICY_PACKS } from '../nag/pack-names';
import { assemblyStacks } from './assembly';
import { auditAcknowledgements } from './audit';
import { type AcknowledgementEntry, type GateDocument, type GateStack } from './report-schema';
import {
  GATE_FILE,
  applyGate,
  assemblyLocator,
  buildSecurityReport,
  readValidationReport,
  SecurityFinding,
  SecurityReport,
  VALIDATION_REPORT_FILE,
  ValidationReport,
  ValidationReportError,
} from './validation-report';
import { describeSource } from './finding-labels';

export interface GateOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the summary and findings are printed. @default console.error */
  readonly print?: (line: string) => void;
  /** Paths in the output are shown relative to this directory. @default process.cwd() */
  readonly baseDir?: string;
}

export interface GateResult {
  readonly document: GateDocument;
  readonly report: SecurityReport;
  /** Open findings after the audit, in report order. */
  readonly open: readonly SecurityFinding[];
  /** Packs that failed without an open finding (a pack that crashed reports so). */
  readonly failedPacks: readonly string[];
  /** The process exit code the gate asks for: 0 pass (or report-only), 1 fail. */
  readonly exitCode: number;
}

/** Removes what an earlier synth left, so a synth that stops before the gate never leaves a stale PASS behind. */
export function clearGateFiles(outdir: string): void {
  for (const f of [GATE_FILE, VALIDATION_REPORT_FILE]) rmSync(join(outdir, f), { force: true });
}

/**
 * Judges the synthesized app and its whole assembly, writes `policy-gate.json`, prints each open finding and a
 * closing summary, and returns the exit code. Call after `app.synth()`.
 */
export function enforcePolicyGate(app: App, assembly: CloudAssembly, opts: GateOptions = {}): GateResult {
  const env = opts.env ?? process.env;
  const print = opts.print ?? ((line: string) => console.error(line));
  const baseDir = opts.baseDir ?? process.cwd();
  const reportOnly = env.MLOPS_REPORT_ONLY === 'true';
  const dir = assembly.directory;

  let validation: ValidationReport;
  try {
    validation = readValidationReport(dir);
  } catch (e) {
    if (!(e instanceof ValidationReportError)) throw e;
    // The policy packs are registered on every app this entry point builds: no report means they did not run.
    validation = { version: 'missing', pluginReports: [] };
    print(`Policy gate: ${e.message}`);
  }
  const acknowledgements = auditAcknowledgements(app, validation);
  const stacks = stackSummaries(assembly);
  const audit = auditReport(acknowledgements);
  const draft: GateDocument = {
    version: 1,
    verdict: 'fail',
    reportOnly,
    open: 0,
    stacks,
    acknowledgements,
    audit,
  };
  // The same merge `npm run report` makes from the files, done here on what is already in memory.
  const report = buildSecurityReport(applyGate(validation, draft), assemblyLocator(dir));
  const open = report.findings.filter((f) => f.status === 'open' && gated(f));
  const failedPacks = report.packs
    .filter((p) => p.conclusion === 'failure' && !open.some((f) => f.pack === p.pack))
    .map((p) => p.pack);
  const missingReport = validation.version === 'missing';
  const pass = open.length === 0 && failedPacks.length === 0 && !missingReport;
  const document: GateDocument = { ...draft, verdict: pass ? 'pass' : 'fail', open: open.length };
  writeFileSync(join(dir, GATE_FILE), `${JSON.stringify(document, null, 2)}\n`);

  for (const line of renderGate({ document, report, open, failedPacks, missingReport, dir, baseDir })) print(line);
  return { document, report, open, failedPacks, exitCode: pass || reportOnly ? 0 : 1 };
}

/**
 * What the gate counts: every finding of a policy pack (any severity) and of the acknowledgement audit; of CDK's
 * own "Construct Annotations" plugin, errors and warnings (its info notes are not findings).
 */
function gated(f: SecurityFinding): boolean {
  return (
    f.pack !== 'Construct Annotations' || f.severity === 'error' || f.severity === 'warning' || f.severity === 'fatal'
  );
}

/** The audit as one more plugin report, so every report renders it like a pack's findings. */
function auditReport(entries: readonly AcknowledgementEntry[]): GateDocument['audit'] {
  const violations = entries.flatMap((a) =>
    a.problems.map((p) => ({
      ruleName: `${ACKNOWLEDGEMENT_PACK}::${p.rule}`,
      description: `${p.message}. (${ACKNOWLEDGEMENT_RULES[p.rule as AcknowledgementRule] ?? p.rule}.)`,
      severity: 'error' as const,
      violatingConstructs: [
        {
          constructPath: a.scope,
          ...(a.source ? { stackTraces: [`    at (${a.source.file}:${a.source.line}:${a.source.column ?? 1})`] } : {}),
        },
      ],
    })),
  );
  return {
    pluginName: ACKNOWLEDGEMENT_PACK,
    conclusion: violations.length === 0 ? 'success' : 'failure',
    violations,
  };
}

function stackSummaries(assembly: CloudAssembly): GateStack[] {
  return assemblyStacks(assembly).map((s) => ({
    displayName: s.displayName,
    stackName: s.stackName,
    group: s.group,
    account: s.account,
    region: s.region,
    templatePath: s.templatePath,
    resources: Object.keys((s.artifact.template as { Resources?: object }).Resources ?? {}).length,
  }));
}

/** The lines a person reads: each open finding, then the stacks, the packs and the verdict. */
function renderGate(args: {
  document: GateDocument;
  report: SecurityReport;
  open: readonly SecurityFinding[];
  failedPacks: readonly string[];
  missingReport: boolean;
  dir: string;
  baseDir: string;
}): string[] {
  const { document, report, open, failedPacks, missingReport, dir, baseDir } = args;
  const rel = (p: string) => relative(baseDir, p) || '.';
  const lines: string[] = [''];
  if (open.length > 0) {
    lines.push(
      `Policy gate: ${open.length} open finding(s); fix each, or acknowledge it with a reason on its construct:`,
    );
    for (const f of open) {
      const source = describeSource(f.source, baseDir);
      lines.push(`  [${f.pack}] ${f.findingId} at ${f.constructPath || '(app)'}${source ? ` (${source})` : ''}`);
      lines.push(`      ${firstSentence(f.description)}`);
    }
    lines.push('');
  }
  for (const pack of failedPacks) {
    lines.push(`Policy gate: pack ${pack} failed without reporting a finding (did it crash?); see the full report.`);
  }
  const groups = [...new Set(document.stacks.map((s) => s.group))];
  const environments = groups.filter((g) => g !== '');
  lines.push(
    `Synthesized ${document.stacks.length} stack(s)` +
      (environments.length > 0 ? ` in ${environments.length} environment(s) (${environments.join(', ')})` : '') +
      ':',
  );
  const width = Math.max(...document.stacks.map((s) => s.displayName.length), 5);
  for (const s of document.stacks) {
    lines.push(
      `  ${s.displayName.padEnd(width)}  ${s.stackName.padEnd(32)}  ${s.account}/${s.region}  ${String(s.resources).padStart(3)} resources`,
    );
  }
  const packWidth = Math.max(...report.packs.map((p) => p.pack.length), 4);
  lines.push(`Findings by pack:${' '.repeat(Math.max(packWidth - 14, 1))}   open  acknowledged`);
  // The registered packs in their usual order, then the audit and any other plugin.
  const rank = (pack: string) => {
    const i = (POLICY_PACKS as readonly string[]).indexOf(pack);
    return i < 0 ? POLICY_PACKS.length : i;
  };
  for (const p of [...report.packs].sort((a, b) => rank(a.pack) - rank(b.pack))) {
    const openHere = open.filter((f) => f.pack === p.pack).length;
    lines.push(
      `  ${p.pack.padEnd(packWidth)}  ${String(openHere).padStart(5)}  ${String(p.acknowledged).padStart(12)}`,
    );
  }
  const rejected = document.acknowledgements.filter((a) => a.problems.length > 0).length;
  lines.push(
    `Acknowledgements: ${document.acknowledgements.length} audited, ${rejected} rejected (scope, reason and what each removed: ${rel(join(dir, GATE_FILE))})`,
  );
  lines.push(
    `Reports: ${rel(join(dir, VALIDATION_REPORT_FILE))}; \`npm run report\` writes SARIF, Markdown and HTML to ${rel(join(dir, 'reports'))}/`,
  );
  const verdict = document.verdict === 'pass' ? 'PASS' : 'FAIL';
  const why =
    document.verdict === 'pass'
      ? '0 open findings'
      : `${open.length} open finding(s)${failedPacks.length > 0 ? `, ${failedPacks.length} failed pack(s)` : ''}${missingReport ? ', no validation report (the policy packs did not run)' : ''}`;
  lines.push(
    `Policy gate: ${verdict} (${why})${document.reportOnly && document.verdict === 'fail' ? ' — MLOPS_REPORT_ONLY=true: not failing synth' : ''}`,
  );
  return lines;
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  const sentence = end > 0 ? flat.slice(0, end + 1) : flat;
  return sentence.length > 220 ? `${sentence.slice(0, 219)}…` : sentence;
}
