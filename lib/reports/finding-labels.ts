/**
 * How the reports name and group findings: locations and sources as reviewers read them, acknowledgements grouped
 * by what is judged once, the summary line, labels, a finding's stack and identity, the rule catalogue's rows. Shared
 * by the Markdown, HTML and SARIF renderers and the command-line tools; pure.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { Rule } from '../../core/policy/rule';
import type { PackSummary, SecurityFinding, SecurityReport, SourceLocation } from './validation-report';

/** `path (LogicalId in template.json)` for reviewers. */
export function describeLocation(f: SecurityFinding): string {
  return f.location ? `${f.constructPath} (${f.location.logicalId} in ${f.location.templatePath})` : f.constructPath;
}

/** `lib/constructs/model-endpoint.ts:154` (relative to `baseDir`), or the absolute path when outside it. */
export function describeSource(loc: SourceLocation | undefined, baseDir: string = process.cwd()): string {
  if (!loc) return '';
  return `${repoRelative(loc.file, baseDir) ?? loc.file}:${loc.line}`;
}

/**
 * Acknowledged findings grouped by what a reviewer judges once: the same finding id, reason and place it is
 * written, over however many constructs it applies to.
 */
export interface AcknowledgementGroup {
  readonly pack: string;
  readonly findingId: string;
  readonly reason: string;
  readonly acknowledgedIn?: SourceLocation;
  readonly findings: readonly SecurityFinding[];
}

export function groupAcknowledgements(findings: readonly SecurityFinding[]): AcknowledgementGroup[] {
  const groups = new Map<string, { group: AcknowledgementGroup; findings: SecurityFinding[] }>();
  for (const f of findings) {
    if (f.status !== 'acknowledged') continue;
    const where = f.acknowledgedIn ? `${f.acknowledgedIn.file}:${f.acknowledgedIn.line}` : '';
    const key = [f.pack, f.findingId, reasonOf(f), where].join('\n');
    const entry = groups.get(key) ?? {
      group: {
        pack: f.pack,
        findingId: f.findingId,
        reason: reasonOf(f),
        acknowledgedIn: f.acknowledgedIn,
        findings: [],
      },
      findings: [],
    };
    entry.findings.push(f);
    groups.set(key, entry);
  }
  return [...groups.values()].map(({ group, findings: fs }) => ({ ...group, findings: fs }));
}

/** `2 open, 36 acknowledged findings across 6 packs (2 failed)`. */
export function summaryLine(report: SecurityReport): string {
  const { open, acknowledged } = countByStatus(report.findings);
  const failed = report.packs.filter((p) => p.conclusion === 'failure').length;
  return (
    `${open} open, ${acknowledged} acknowledged findings across ${report.packs.length} packs` +
    (failed > 0 ? ` (${failed} failed)` : '')
  );
}

export function conclusionLabel(p: PackSummary): string {
  return p.conclusion === 'absent' ? 'no findings reported' : p.conclusion;
}

/** MLOPS findings carry the catalogue severity (HIGH, …) next to the level the pack reported. */
export function severityLabel(f: SecurityFinding): string {
  return f.catalogueSeverity ? `${f.severity} (${f.catalogueSeverity})` : f.severity;
}

export function reasonOf(f: SecurityFinding): string {
  return f.reason ?? '(no reason given)';
}

export function countByStatus(findings: readonly SecurityFinding[]): { open: number; acknowledged: number } {
  const open = findings.filter((f) => f.status === 'open').length;
  return { open, acknowledged: findings.length - open };
}

/**
 * The stack a finding belongs to: the manifest's display name when the template location is known, otherwise the
 * first two construct path segments (`<environment>/<stack>`, how this app nests its stacks).
 */
export function stackOf(f: SecurityFinding): string {
  if (f.location?.stack) return f.location.stack;
  const parts = f.constructPath.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[0] ?? f.constructPath);
}

/** The identity of a finding across runs (fingerprints, base-report comparison). */
export function findingKey(f: SecurityFinding): string {
  return `${f.pack}\n${f.findingId}\n${f.constructPath}`;
}

/** A source file relative to `baseDir` with `/` separators, or undefined when it lies outside `baseDir`. */
export function repoRelative(file: string, baseDir: string = process.cwd()): string | undefined {
  const rel = relative(baseDir, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : rel.split(sep).join('/');
}

/** The MLOPS rule catalogue as table rows, shared by the Markdown and HTML reports. */
export const CATALOGUE_HEADER = ['Id', 'Title', 'Severity', 'Stages', 'GDPR', 'NIST 800-53', 'AWS Config rule'];
export function catalogueRows(rules: readonly Rule[]): string[][] {
  return rules.map((r) => [
    r.id,
    r.title,
    r.severity,
    r.stages.join(', '),
    (r.references.gdpr ?? []).join(', '),
    (r.references.nist80053 ?? []).join(', '),
    r.references.awsConfigRule ?? '',
  ]);
}
