/**
 * Reads the policy validation report that `cdk synth` writes to `<assembly>/validation-report.json` and flattens it
 * into one finding per (rule, construct): open findings from `violations`, acknowledged ones (with the reviewer's
 * reason) from `suppressedViolations`. The schema mirrors `PolicyValidationReportJson` of
 * `@aws-cdk/cloud-assembly-schema`; unknown fields are ignored so newer CDK versions still read. How the renderers
 * name and group the findings: `finding-labels.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { POLICY_PACKS } from '../nag/pack-names';
import { logicalIdsByConstructPath } from './assembly';
import { ruleById } from '../../core/policy/catalogue';
import type { RuleSeverity } from '../../core/policy/rule';

import {
  GATE_FILE,
  gateDocumentSchema,
  type GateDocument,
  type ValidationReport,
  validationReportSchema,
  type ViolationSeverity,
} from './report-schema';

export { GATE_FILE, validationReportSchema };
export type { GateDocument, ValidationReport, ViolationSeverity };

export const VALIDATION_REPORT_FILE = 'validation-report.json';

/** The report file is missing, is not JSON, or does not have the shape this reader knows. */
export class ValidationReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationReportError';
  }
}

/** Where a resource is in the synthesized templates; paths are relative to the assembly directory. */
export interface TemplateLocation {
  readonly templatePath: string;
  readonly logicalId: string;
  /** 1-based line of the resource's key in the template, when found. */
  readonly line?: number;
  /** The stack's display name from the assembly manifest, e.g. `staging/Platform`. */
  readonly stack?: string;
}

/** A place in our source code, from a stack trace CDK recorded: absolute file path, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export interface SecurityFinding {
  /** Plugin name, e.g. `AwsSolutions` or `MLOPS`. */
  readonly pack: string;
  /** The rule, without a per-finding suffix: `AwsSolutions-IAM5`. */
  readonly ruleId: string;
  /** The finding as the pack names it (and as it is acknowledged): `AwsSolutions-IAM5[Resource::*]`. */
  readonly findingId: string;
  /** As the pack reported it. */
  readonly severity: ViolationSeverity;
  /** The rule's severity in core/policy/catalogue.ts (MLOPS findings only). */
  readonly catalogueSeverity?: RuleSeverity;
  readonly description: string;
  readonly constructPath: string;
  readonly status: 'open' | 'acknowledged';
  /** Why the finding is accepted (acknowledged findings). */
  readonly reason?: string;
  /** Construct path where the acknowledgement was declared (acknowledged findings). */
  readonly acknowledgedAt?: string;
  readonly location?: TemplateLocation;
  /** Where the construct is created in our code (first frame of its creation stack trace outside node_modules). */
  readonly source?: SourceLocation;
  /** Where the acknowledgement is written (first frame outside the `acknowledge()` helper itself). */
  readonly acknowledgedIn?: SourceLocation;
}

export interface PackSummary {
  readonly pack: string;
  /** `absent` when the report has no entry for the pack (it passed with nothing to report, or did not run). */
  readonly conclusion: 'success' | 'failure' | 'absent';
  readonly open: number;
  readonly acknowledged: number;
}

/** The normalized report every renderer takes. */
export interface SecurityReport {
  readonly title: string;
  readonly cdkReportVersion: string;
  readonly packs: readonly PackSummary[];
  /** Open findings first, then acknowledged; each group by pack, rule, construct path. */
  readonly findings: readonly SecurityFinding[];
}

export type LocateResource = (constructPath: string) => TemplateLocation | undefined;

/** Validates parsed JSON; the error names the first offending fields, e.g. `pluginReports[0].conclusion`. */
export function parseValidationReport(json: unknown, source: string = VALIDATION_REPORT_FILE): ValidationReport {
  const parsed = validationReportSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
  const more = parsed.error.issues.length > 5 ? [`  - … and ${parsed.error.issues.length - 5} more`] : [];
  throw new ValidationReportError(
    `${source} is not a CDK validation report this tool can read:\n${[...issues, ...more].join('\n')}`,
  );
}

/** Reads and validates `<assemblyDir>/validation-report.json`. */
export function readValidationReport(assemblyDir: string): ValidationReport {
  const file = join(assemblyDir, VALIDATION_REPORT_FILE);
  if (!existsSync(file)) {
    throw new ValidationReportError(`${file} not found; run \`npx cdk synth\` first to write it`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationReportError(`${file} is not valid JSON (${(e as Error).message}); run \`npx cdk synth\` again`);
  }
  return parseValidationReport(json, file);
}

/** One finding per violating construct, open first. */
export function normalizeFindings(
  report: ValidationReport,
  locate: LocateResource = () => undefined,
): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  for (const plugin of report.pluginReports) {
    const pack = plugin.pluginName;
    const entries = [
      ...plugin.violations.map((v) => ({ v, ack: undefined })),
      ...(plugin.suppressedViolations ?? []).map((v) => ({ v, ack: v })),
    ];
    for (const { v, ack } of entries) {
      const findingId = stripNamespace(v.ruleName, pack);
      const ruleId = findingId.replace(/\[.*\]$/s, '');
      const catalogueSeverity = pack === 'MLOPS' ? ruleById(ruleId)?.severity : undefined;
      for (const c of v.violatingConstructs) {
        const location = c.cloudFormationResource
          ? { templatePath: c.cloudFormationResource.templatePath, logicalId: c.cloudFormationResource.logicalId }
          : locate(c.constructPath);
        const source = sourceFromStackTrace((c.stackTraces ?? []).join('\n'));
        const acknowledgedIn = ack?.acknowledgedStackTrace
          ? sourceFromStackTrace(ack.acknowledgedStackTrace, ACKNOWLEDGE_HELPER)
          : undefined;
        findings.push({
          pack,
          ruleId,
          findingId,
          severity: v.severity,
          ...(catalogueSeverity ? { catalogueSeverity } : {}),
          description: v.description,
          constructPath: c.constructPath,
          status: ack ? 'acknowledged' : 'open',
          ...(ack?.reason !== undefined ? { reason: ack.reason } : {}),
          ...(ack?.acknowledgedAt !== undefined ? { acknowledgedAt: ack.acknowledgedAt } : {}),
          ...(location ? { location } : {}),
          ...(source ? { source } : {}),
          ...(acknowledgedIn ? { acknowledgedIn } : {}),
        });
      }
    }
  }
  return findings.sort(compareFindings);
}

export interface SecurityReportOptions {
  /**
   * The packs that ran: each is listed in the summary even when the report does not name it.
   * @default POLICY_PACKS - every pack the synth registers
   */
  readonly packs?: readonly string[];
}

/** Parses and normalizes; `locate` maps construct paths to template resources (see `assemblyLocator`). */
export function buildSecurityReport(
  report: ValidationReport,
  locate?: LocateResource,
  opts: SecurityReportOptions = {},
): SecurityReport {
  const findings = normalizeFindings(report, locate);
  const inReport = report.pluginReports.map((p) => p.pluginName);
  // CDK leaves a pack out of the report when it passed with nothing to report (no violation, no acknowledgement), so
  // the summary lists every pack that ran even when the file does not.
  const ran = opts.packs ?? POLICY_PACKS;
  const packNames = [...inReport, ...ran.filter((p) => !inReport.includes(p))];
  const packs = packNames.map((pack): PackSummary => {
    const plugin = report.pluginReports.find((p) => p.pluginName === pack);
    const of = findings.filter((f) => f.pack === pack);
    return {
      pack,
      conclusion: plugin?.conclusion ?? 'absent',
      open: of.filter((f) => f.status === 'open').length,
      acknowledged: of.filter((f) => f.status === 'acknowledged').length,
    };
  });
  return { title: report.title ?? 'Validation Report', cdkReportVersion: report.version, packs, findings };
}

/**
 * Reads the assembly: the validated report, merged with the synth gate's own file when synth wrote one (the
 * acknowledgement audit becomes one more pack, and findings whose acknowledgement the gate rejected are open again),
 * plus the construct-path → template mapping of every stack, nested stage assemblies included.
 */
export function loadSecurityReport(assemblyDir: string): SecurityReport {
  const gate = readGateDocument(assemblyDir);
  const report = readValidationReport(assemblyDir);
  return buildSecurityReport(gate ? applyGate(report, gate) : report, assemblyLocator(assemblyDir));
}

/** `<assemblyDir>/policy-gate.json`, or undefined when synth did not write one (an older assembly). */
export function readGateDocument(assemblyDir: string): GateDocument | undefined {
  const file = join(assemblyDir, GATE_FILE);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationReportError(`${file} is not valid JSON (${(e as Error).message}); run \`npx cdk synth\` again`);
  }
  const parsed = gateDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
    throw new ValidationReportError(`${file} is not a policy gate file this tool can read:\n${issues.join('\n')}`);
  }
  return parsed.data;
}

/**
 * The validation report as the gate judged it: the acknowledgement audit appended as a plugin report, and every
 * finding removed by a rejected acknowledgement moved back to the open violations, saying why.
 */
export function applyGate(report: ValidationReport, gate: GateDocument): ValidationReport {
  const rejected = new Map(
    gate.acknowledgements
      .filter((a) => a.problems.length > 0)
      .map((a) => [`${a.id}@${a.scope}`, a.problems.map((p) => p.rule).join(', ')]),
  );
  const pluginReports = report.pluginReports.map((plugin) => {
    const kept: NonNullable<typeof plugin.suppressedViolations> = [];
    const reopened: typeof plugin.violations = [];
    for (const s of plugin.suppressedViolations ?? []) {
      const why = rejected.get(`${s.acknowledgedId}@${s.acknowledgedAt ?? ''}`);
      if (why === undefined) {
        kept.push(s);
        continue;
      }
      const { acknowledgedId: _id, reason: _r, acknowledgedAt, acknowledgedStackTrace: _t, ...violation } = s;
      reopened.push({
        ...violation,
        description: `Acknowledgement at ${acknowledgedAt || '(app)'} rejected (${why}), so open again; ${violation.description}`,
      });
    }
    if (reopened.length === 0) return plugin;
    return {
      ...plugin,
      conclusion: 'failure' as const,
      violations: [...plugin.violations, ...reopened],
      suppressedViolations: kept,
    };
  });
  return { ...report, pluginReports: [...pluginReports, gate.audit] };
}

/**
 * Maps construct paths to `{ template, logical id, stack }` using every stack's `aws:cdk:logicalId` metadata.
 * Best effort: an assembly without a readable manifest simply yields no template locations.
 */
export function assemblyLocator(assemblyDir: string): LocateResource {
  const byPath = new Map<string, TemplateLocation>();
  try {
    const templates = new Map<string, string | undefined>();
    for (const [path, { stack, logicalId }] of logicalIdsByConstructPath(assemblyDir)) {
      if (!templates.has(stack.templatePath)) {
        templates.set(stack.templatePath, readText(join(assemblyDir, stack.templatePath)));
      }
      const template = templates.get(stack.templatePath);
      const line = template === undefined ? undefined : lineOfResource(template, logicalId);
      byPath.set(path, {
        templatePath: stack.templatePath,
        logicalId,
        ...(line ? { line } : {}),
        stack: stack.displayName,
      });
    }
  } catch {
    // No or unreadable manifest: reports lose template locations, nothing else.
  }
  return (constructPath) => byPath.get(constructPath);
}

/**
 * A template's URI for SARIF: relative to `baseDir` (GitHub resolves it against the repository root), or a `file:`
 * URI when the assembly lies outside `baseDir`.
 */
export function templateUri(assemblyDir: string, templatePath: string, baseDir: string = process.cwd()): string {
  const file = resolve(assemblyDir, templatePath);
  const rel = relative(baseDir, file);
  return rel.startsWith('..') || isAbsolute(rel) ? pathToFileURL(file).href : rel.split(sep).join('/');
}

/** Frames of our `acknowledge()` helper: the acknowledgement is "written" where the helper is called. */
export const ACKNOWLEDGE_HELPER =
  /[\\/]lib[\\/]nag[\\/]acknowledgements\.ts$|[\\/]lib[\\/]stacks[\\/]pipeline-acknowledgements\.ts$/;

/**
 * The first frame of a V8 stack trace (as CDK records it) in a file of ours: not in `node_modules`, not a frame
 * CDK collapsed (`...new Bucket in aws-cdk-lib...`), not matching `skip`.
 */
export function sourceFromStackTrace(trace: string, skip?: RegExp): SourceLocation | undefined {
  for (const m of trace.matchAll(/\(?((?:[A-Za-z]:)?[\\/][^():\n]+):(\d+):(\d+)\)?/g)) {
    const file = m[1]!;
    if (/[\\/]node_modules[\\/]/.test(file) || (skip && skip.test(file))) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function lineOfResource(template: string, logicalId: string): number | undefined {
  const resources = template.indexOf('"Resources"');
  if (resources < 0) return undefined;
  const at = template.indexOf(`${JSON.stringify(logicalId)}:`, resources);
  return at < 0 ? undefined : template.slice(0, at).split('\n').length;
}

function stripNamespace(ruleName: string, pack: string): string {
  return ruleName.startsWith(`${pack}::`) ? ruleName.slice(pack.length + 2) : ruleName;
}

function compareFindings(a: SecurityFinding, b: SecurityFinding): number {
  const rank = (f: SecurityFinding) => (f.status === 'open' ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    a.pack.localeCompare(b.pack) ||
    a.findingId.localeCompare(b.findingId) ||
    a.constructPath.localeCompare(b.constructPath)
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
