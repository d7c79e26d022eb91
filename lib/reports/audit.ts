/**
 * The acknowledgement audit: every acknowledgement in the construct tree, however it was written (the project's
 * `acknowledge()` helper, `Validations.of(x).acknowledge()` directly, raw metadata), with its scope, reason, the place
 * it is written, the findings it removed, and what the rules of lib/nag/acknowledgement-policy.ts object to. The synth
 * gate (gate.ts) turns the objections into open findings.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  AcknowledgementRule,
  normalizeReason,
  reasonProblem,
  ruleClass,
  splitAcknowledgedId,
} from '../nag/acknowledgement-policy';
import type { AcknowledgementEntry } from './report-schema';
import { ACKNOWLEDGE_HELPER, sourceFromStackTrace, type ValidationReport } from './validation-report';

/** Metadata type under which `Validations.of(x).acknowledge()` records an acknowledgement. */
const ACK_METADATA = 'aws:cdk:acknowledged-rules';

/** Every acknowledgement in the tree, with its scope, what it removed and the gate's objections to it. */
export function auditAcknowledgements(root: IConstruct, report: ValidationReport): AcknowledgementEntry[] {
  const removed = new Map<string, string[]>();
  for (const plugin of report.pluginReports) {
    for (const s of plugin.suppressedViolations ?? []) {
      const key = `${s.acknowledgedId}@${s.acknowledgedAt ?? ''}`;
      removed.set(key, [...(removed.get(key) ?? []), ...s.violatingConstructs.map((c) => c.constructPath)]);
    }
  }
  const entries: AcknowledgementEntry[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== ACK_METADATA || !m.data) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        const { pack, findingId } = splitAcknowledgedId(id);
        const source = m.trace ? sourceFromStackTrace(m.trace.join('\n'), ACKNOWLEDGE_HELPER) : undefined;
        entries.push({
          id,
          pack,
          findingId,
          scope: c.node.path,
          scopeKind: scopeKind(c),
          reason: String(reason),
          ...(source ? { source } : {}),
          removed: removed.get(`${id}@${c.node.path}`) ?? [],
          problems: [],
        });
      }
    }
  }
  return withProblems(entries);
}

function scopeKind(c: IConstruct): AcknowledgementEntry['scopeKind'] {
  if (App.isApp(c) || c.node.scope === undefined) return 'app';
  if (Stage.isStage(c)) return 'stage';
  if (Stack.isStack(c)) return 'stack';
  return 'construct';
}

function withProblems(entries: AcknowledgementEntry[]): AcknowledgementEntry[] {
  const classesByReason = new Map<string, Set<string>>();
  for (const a of entries) {
    const key = normalizeReason(a.reason);
    classesByReason.set(key, (classesByReason.get(key) ?? new Set()).add(ruleClass(a.id)));
  }
  return entries.map((a) => {
    const problems: { rule: AcknowledgementRule; message: string }[] = [];
    const where = a.scope || '(app)';
    if (a.scopeKind !== 'construct') {
      problems.push({
        rule: 'ACK-SCOPE',
        message: `${a.id} is acknowledged on the whole ${a.scopeKind}${a.scope ? ` ${a.scope}` : ''}, which hides it everywhere below; acknowledge it on the one construct whose finding it accepts`,
      });
    }
    const reason = reasonProblem(a.reason);
    if (reason) problems.push({ rule: 'ACK-REASON', message: `${a.id} at ${where}: ${reason}` });
    const others = [...(classesByReason.get(normalizeReason(a.reason)) ?? [])].filter((c) => c !== ruleClass(a.id));
    if (others.length > 0) {
      problems.push({
        rule: 'ACK-REUSED',
        message: `${a.id} at ${where} gives the same reason as acknowledgements of unrelated rules (${others.sort().join(', ')}); say why this rule's finding is acceptable here`,
      });
    }
    if (a.removed.length === 0) {
      // CDK files an id written without a namespace under `Annotation::`, and cdk-nag then drops the finding itself.
      const hint =
        a.pack && a.pack !== 'Annotation'
          ? 'remove it, or fix its id or scope'
          : `if it names a pack's rule, its id has no "<pack>::" prefix, so the pack dropped the finding before the report could keep it; write it as "<pack>::${a.findingId}", or remove it`;
      problems.push({ rule: 'ACK-UNUSED', message: `${a.id} at ${where} removes no finding: ${hint}` });
    }
    return { ...a, problems };
  });
}

/** An acknowledgement as CDK records it on a construct (namespaced id, reason, construct path). */
export interface RecordedAcknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly path: string;
}

/** Every acknowledgement made anywhere in the tree. */
export function recordedAcknowledgements(root: IConstruct): RecordedAcknowledgement[] {
  return auditAcknowledgements(root, { version: '', pluginReports: [] }).map((a) => ({
    id: a.id,
    reason: a.reason,
    path: a.scope,
  }));
}

/** Acknowledgements that suppressed nothing: dead weight that would silently hide a future finding. */
export function deadAcknowledgements(root: IConstruct, report: ValidationReport): RecordedAcknowledgement[] {
  return auditAcknowledgements(root, report)
    .filter((a) => a.removed.length === 0)
    .map((a) => ({ id: a.id, reason: a.reason, path: a.scope }));
}
