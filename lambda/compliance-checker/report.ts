/**
 * The scheduled account report, pure: report document, S3 keys, per-rule metrics, and which violations are new
 * since the previous report (so a re-run with no change notifies nobody).
 */
import { CompliancePolicy } from '../../lib/policy/context';
import { ResourceKind } from '../../lib/policy/facts';
import { Finding, Rule } from '../../lib/policy/rule';
import { NotFound, ScanError } from './collect';

export const REPORT_SCHEMA_VERSION = 1;
export const LATEST_KEY = 'reports/latest.json';
export const METRIC_NAMESPACE = 'MLOps/Compliance';
export const METRIC_NON_COMPLIANT = 'NonCompliantResources';
export const METRIC_SCAN_ERRORS = 'ScanErrors';

export interface ComplianceReport {
  readonly schemaVersion: number;
  readonly runId: string;
  readonly generatedAt: string;
  readonly region?: string;
  readonly policy: CompliancePolicy;
  readonly counts: {
    readonly resources: number;
    readonly resourcesByKind: Partial<Record<ResourceKind, number>>;
    readonly findings: Record<'COMPLIANT' | 'NON_COMPLIANT', number>;
    readonly nonCompliantByRule: Record<string, number>;
    readonly errors: number;
    readonly notFound: number;
  };
  /**
   * Keys (ruleId|resourceId) of violations known to be open: this run's NON_COMPLIANT findings, plus earlier open
   * violations on resources this run could not read. Carrying those over stops a read error from turning an old
   * violation into a "new" one on the next run.
   */
  readonly openViolations: string[];
  readonly findings: Finding[];
  readonly errors: ScanError[];
  readonly notFound: NotFound[];
}

export const findingKey = (f: Pick<Finding, 'ruleId' | 'resourceId'>): string => `${f.ruleId}|${f.resourceId}`;

/** `reports/YYYY/MM/DD/<timestamp>.json` (UTC); colons dropped so the key is safe in every tool. */
export function datedReportKey(at: Date): string {
  const iso = at.toISOString();
  return `reports/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.replace(/:/g, '')}.json`;
}

export interface BuildReportInput {
  readonly runId: string;
  readonly at: Date;
  readonly region?: string;
  readonly policy: CompliancePolicy;
  readonly resources: readonly { readonly id: string; readonly kind: ResourceKind; readonly name?: string }[];
  readonly findings: readonly Finding[];
  readonly errors: readonly ScanError[];
  readonly notFound: readonly NotFound[];
  readonly previous?: Pick<ComplianceReport, 'openViolations'>;
}

function unreadable(errors: readonly ScanError[]): Set<string> {
  return new Set(errors.map((e) => e.resource));
}

export function buildReport(input: BuildReportInput): ComplianceReport {
  const resourcesByKind: Partial<Record<ResourceKind, number>> = {};
  for (const r of input.resources) resourcesByKind[r.kind] = (resourcesByKind[r.kind] ?? 0) + 1;
  const nonCompliantByRule: Record<string, number> = {};
  const findings = { COMPLIANT: 0, NON_COMPLIANT: 0 };
  const open = new Set<string>();
  for (const f of input.findings) {
    if (f.status === 'COMPLIANT') findings.COMPLIANT += 1;
    if (f.status !== 'NON_COMPLIANT') continue;
    findings.NON_COMPLIANT += 1;
    nonCompliantByRule[f.ruleId] = (nonCompliantByRule[f.ruleId] ?? 0) + 1;
    open.add(findingKey(f));
  }
  // A previous violation on a resource this run could not read stays open: not proven fixed.
  const judged = new Set(input.resources.map((r) => r.id));
  const failed = unreadable(input.errors);
  for (const key of input.previous?.openViolations ?? []) {
    const resourceId = key.slice(key.indexOf('|') + 1);
    const name = resourceId.slice(resourceId.lastIndexOf('/') + 1);
    if (!judged.has(resourceId) && (failed.has(resourceId) || failed.has(name))) open.add(key);
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId,
    generatedAt: input.at.toISOString(),
    ...(input.region ? { region: input.region } : {}),
    policy: input.policy,
    counts: {
      resources: input.resources.length,
      resourcesByKind,
      findings,
      nonCompliantByRule,
      errors: input.errors.length,
      notFound: input.notFound.length,
    },
    openViolations: [...open].sort(),
    findings: [...input.findings],
    errors: [...input.errors],
    notFound: [...input.notFound],
  };
}

/** Reads `openViolations` from a previous report, tolerating older documents that only have findings. */
export function openViolationsOf(doc: unknown): string[] | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Partial<ComplianceReport>;
  if (Array.isArray(d.openViolations)) return d.openViolations.filter((k): k is string => typeof k === 'string');
  if (Array.isArray(d.findings)) return d.findings.filter((f) => f?.status === 'NON_COMPLIANT').map(findingKey);
  return undefined;
}

/** NON_COMPLIANT findings whose key was not open in the previous report. No previous report: all are new. */
export function newViolations(findings: readonly Finding[], previousOpen: readonly string[] | undefined): Finding[] {
  const before = new Set(previousOpen ?? []);
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = findingKey(f);
    if (f.status !== 'NON_COMPLIANT' || before.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface MetricDatum {
  readonly ruleId: string;
  readonly value: number;
}

/** One datum per run-stage rule, 0 for rules with no violation, so alarms on every rule always have data. */
export function ruleMetrics(rules: readonly Rule[], findings: readonly Finding[]): MetricDatum[] {
  const resources = new Map<string, Set<string>>(rules.map((r) => [r.id, new Set<string>()]));
  for (const f of findings) if (f.status === 'NON_COMPLIANT') resources.get(f.ruleId)?.add(f.resourceId);
  return [...resources.entries()].map(([ruleId, ids]) => ({ ruleId, value: ids.size }));
}

/** SNS subject (max 100 characters) and body for new violations. */
export function notification(
  fresh: readonly Finding[],
  report: ComplianceReport,
  reportKey: string,
): { subject: string; message: string } {
  const subject =
    `[MLOps compliance] ${fresh.length} new violation(s)${report.region ? ` in ${report.region}` : ''}`.slice(0, 100);
  const lines = fresh.map(
    (f) => `- ${f.ruleId} (${f.severity}) ${f.resourceKind} ${f.resourceName ?? f.resourceId}: ${f.reason}`,
  );
  const body = [
    `${fresh.length} new compliance violation(s) found by run ${report.runId} at ${report.generatedAt}.`,
    '',
    ...lines,
    '',
    `Open violations in total: ${report.openViolations.length}. Scan errors: ${report.counts.errors}.`,
    `Full report: ${reportKey}`,
  ].join('\n');
  // SNS messages are at most 256 KB; keep well under it.
  return { subject, message: body.length > 200_000 ? `${body.slice(0, 199_980)}\n... (truncated)` : body };
}
