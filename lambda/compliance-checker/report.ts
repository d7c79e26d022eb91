/**
 * The scheduled account report, pure: report document, S3 keys, per-rule metrics, and which violations are new
 * since the previous report (so a re-run with no change notifies nobody).
 */
import { CompliancePolicy } from '../../core/policy/context';
import { ResourceKind } from '../../core/policy/facts';
import { regionOfArn } from '../../core/policy/from-aws';
import { RULES } from '../../core/policy/catalogue';
import { Finding, Rule } from '../../core/policy/rule';
import { CollectedKind, NotFound, ScanError } from './collect';

/**
 * 2: `staleFindings` and `notEvaluated`. The previous report (reports/latest.json in the report bucket) is the
 * checker's durable memory: it is written last in every run, read first in the next, versioned and KMS-encrypted,
 * and a reviewer can read it. No second store (DynamoDB) to keep consistent with it.
 */
export const REPORT_SCHEMA_VERSION = 2;
export const LATEST_KEY = 'reports/latest.json';

/** A violation seen by an earlier run on a resource this run could not read: still open, not proven fixed. */
export interface StaleFinding extends Finding {
  readonly stale: true;
  /** When a run last read the resource and found the violation. */
  readonly lastSeenAt: string;
  /** Why it could not be re-judged, e.g. `sagemaker:ListEndpoints ThrottlingException in eu-west-1`. */
  readonly staleBecause: string;
}

/** A run-time rule this run could not evaluate on every resource it covers. */
export interface NotEvaluated {
  readonly ruleId: string;
  readonly reason: string;
  /**
   * The checker never reads the facts this rule judges (a synth- or plan-time rule): listed so that its absence
   * never reads as clean, but not a fault of this scan (the "scan incomplete" alarm does not count it).
   */
  readonly notRead?: true;
}

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
  /** Earlier violations carried over because their resource (or its listing) could not be read this run. */
  readonly staleFindings: StaleFinding[];
  /** Rules whose resources could not all be listed this run: their metric is never published as a false 0. */
  readonly notEvaluated: NotEvaluated[];
  /** Regions scanned. */
  readonly regions?: string[];
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
  /** The previous report (or the part of it an older schema has). */
  readonly previous?: PreviousReport;
  /** Run-stage rules, for `notEvaluated`. @default - none reported */
  readonly rules?: readonly Rule[];
  readonly regions?: readonly string[];
}

export type PreviousReport = Pick<ComplianceReport, 'openViolations'> &
  Partial<Pick<ComplianceReport, 'findings' | 'staleFindings' | 'generatedAt'>>;

/** Kinds whose listing a kind depends on: images in use are found through models and repositories. */
const LISTED_THROUGH: Partial<Record<ResourceKind, readonly CollectedKind[]>> = {
  Image: ['Image', 'Model', 'Repository'],
  // Roles and their policies are found through the models that run with them.
  Role: ['Role', 'Model'],
  IdentityPolicy: ['Role', 'Model'],
};

/** Failed listings (resource `*`): kind -> regions (undefined = every region) and why. */
function failedListings(errors: readonly ScanError[]) {
  return errors.filter((e) => e.resource === '*');
}

function listingFailureFor(
  kind: ResourceKind,
  region: string | undefined,
  errors: readonly ScanError[],
): ScanError | undefined {
  const kinds: readonly CollectedKind[] = LISTED_THROUGH[kind] ?? [kind as CollectedKind];
  return failedListings(errors).find(
    (e) =>
      kinds.includes(e.resourceKind) &&
      // Buckets are listed once, globally; other kinds per region (an unknown region matches any failure).
      (e.resourceKind === 'Bucket' || e.region === undefined || region === undefined || e.region === region),
  );
}

const describe = (e: ScanError) => `${e.operation} ${e.code}${e.region ? ` in ${e.region}` : ''}`;

/** Per-resource read errors naming this resource (by ARN, name or the last segment of its ARN). */
function resourceErrorFor(f: Finding, errors: readonly ScanError[]): ScanError | undefined {
  const last = f.resourceId.slice(f.resourceId.lastIndexOf('/') + 1);
  const names = new Set([f.resourceId, last, ...(f.resourceName ? [f.resourceName] : [])]);
  return errors.find((e) => e.resource !== '*' && e.resourceKind === f.resourceKind && names.has(e.resource));
}

/** Previous violations still open because this run could not read their resource. */
function carryOver(input: BuildReportInput): StaleFinding[] {
  const prev = input.previous;
  if (!prev) return [];
  const judged = new Set(input.resources.map((r) => r.id));
  const candidates: StaleFinding[] = [
    ...(prev.staleFindings ?? []),
    ...(prev.findings ?? [])
      .filter((f) => f.status === 'NON_COMPLIANT')
      .map((f) => ({ ...f, stale: true as const, lastSeenAt: prev.generatedAt ?? '', staleBecause: '' })),
  ];
  const out = new Map<string, StaleFinding>();
  for (const f of candidates) {
    if (judged.has(f.resourceId) || out.has(findingKey(f))) continue;
    const cause =
      listingFailureFor(f.resourceKind, regionOfArn(f.resourceId), input.errors) ?? resourceErrorFor(f, input.errors);
    if (cause === undefined) continue; // read fine and absent: deleted or fixed
    out.set(findingKey(f), { ...f, stale: true, staleBecause: describe(cause) });
  }
  return [...out.values()];
}

/** Catalogue rules the checker never evaluates (synth and plan only), each with why. */
export function notReadAtRunTime(catalogue: readonly Rule[] = RULES): NotEvaluated[] {
  return catalogue
    .filter((r) => !r.stages.includes('run'))
    .map((r) => ({
      ruleId: r.id,
      reason: `not evaluated at run time: ${r.notAtRunTime ?? 'no run-time adapter reads its facts'}; enforced at ${r.stages.join(' and ')}`,
      notRead: true as const,
    }));
}

/** Rules whose kinds could not all be listed. */
export function notEvaluatedRules(rules: readonly Rule[], errors: readonly ScanError[]): NotEvaluated[] {
  const out: NotEvaluated[] = [];
  for (const rule of rules) {
    const failure = rule.appliesTo.map((k) => listingFailureFor(k, undefined, errors)).find((e) => e !== undefined);
    if (failure) out.push({ ruleId: rule.id, reason: `listing failed: ${describe(failure)}` });
  }
  return out;
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
  // A previous violation on a resource (or of a kind) this run could not read stays open, marked stale.
  const staleFindings = carryOver(input);
  for (const f of staleFindings) open.add(findingKey(f));
  // Older reports carry only keys: keep those whose resource this run failed to read.
  if (input.previous?.findings === undefined) {
    const judged = new Set(input.resources.map((r) => r.id));
    const failed = new Set(input.errors.map((e) => e.resource));
    for (const key of input.previous?.openViolations ?? []) {
      const resourceId = key.slice(key.indexOf('|') + 1);
      const name = resourceId.slice(resourceId.lastIndexOf('/') + 1);
      if (!judged.has(resourceId) && (failed.has(resourceId) || failed.has(name) || failed.has('*'))) open.add(key);
    }
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
    staleFindings,
    // A report that judged run-stage rules also says which catalogue rules it never judges, and why.
    notEvaluated: [
      ...notEvaluatedRules(input.rules ?? [], input.errors),
      ...(input.rules !== undefined ? notReadAtRunTime() : []),
    ],
    ...(input.regions ? { regions: [...input.regions] } : {}),
    errors: [...input.errors],
    notFound: [...input.notFound],
  };
}

/** Reads `openViolations` from a previous report, tolerating older documents that only have findings. */
export function openViolationsOf(doc: unknown): string[] | undefined {
  return previousReportOf(doc)?.openViolations;
}

/** The parts of a previous report the next run needs; undefined when the document is not a report. */
export function previousReportOf(doc: unknown): PreviousReport | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Partial<ComplianceReport>;
  const findings = Array.isArray(d.findings) ? d.findings : undefined;
  const openViolations = Array.isArray(d.openViolations)
    ? d.openViolations.filter((k): k is string => typeof k === 'string')
    : findings?.filter((f) => f?.status === 'NON_COMPLIANT').map(findingKey);
  if (openViolations === undefined) return undefined;
  return {
    openViolations,
    ...(findings ? { findings } : {}),
    ...(Array.isArray(d.staleFindings) ? { staleFindings: d.staleFindings } : {}),
    ...(typeof d.generatedAt === 'string' ? { generatedAt: d.generatedAt } : {}),
  };
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

/**
 * One datum per run-stage rule: resources with an open violation, current or stale (a read error never lowers it),
 * 0 for rules with none. A rule that could not be evaluated and has no known violation gets no datum at all: a 0
 * would claim a clean result nobody saw (the RulesNotEvaluated metric says so instead).
 */
export function ruleMetrics(
  rules: readonly Rule[],
  findings: readonly Finding[],
  stale: readonly Finding[] = [],
  notEvaluated: readonly NotEvaluated[] = [],
): MetricDatum[] {
  const resources = new Map<string, Set<string>>(rules.map((r) => [r.id, new Set<string>()]));
  for (const f of [...findings, ...stale]) if (f.status === 'NON_COMPLIANT') resources.get(f.ruleId)?.add(f.resourceId);
  const skipped = new Set(notEvaluated.map((n) => n.ruleId));
  return [...resources.entries()]
    .filter(([ruleId, ids]) => !(skipped.has(ruleId) && ids.size === 0))
    .map(([ruleId, ids]) => ({ ruleId, value: ids.size }));
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
    `Open violations in total: ${report.openViolations.length} (${report.staleFindings.length} stale: their resources could not be re-read). Scan errors: ${report.counts.errors}.`,
    `Full report: ${reportKey}`,
  ].join('\n');
  // SNS messages are at most 256 KB; keep well under it.
  return { subject, message: body.length > 200_000 ? `${body.slice(0, 199_980)}\n... (truncated)` : body };
}
