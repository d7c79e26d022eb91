/**
 * The CodePipeline compliance gate's decision, pure. The gate fails on any NON_COMPLIANT finding at or above
 * `failOn`, on any named resource it could not read (compliance unproven), and on any named resource that does not
 * exist (the pipeline asked to gate something that is not there).
 */
import { renderGateCounts } from '../../core/contracts/pipeline-gate';
import { ruleById } from '../../core/policy/catalogue';
import { Finding, RuleSeverity } from '../../core/policy/rule';
import { NotFound, ScanError } from './collect';
import { truncate } from './config-rule';

/** failureDetails.message is at most 5000 characters. */
export const MAX_FAILURE_MESSAGE = 5000;
/** executionDetails.summary is at most 2048 characters. */
export const MAX_SUMMARY = 2048;

const RANK: Record<RuleSeverity, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

export interface GateDecision {
  readonly passed: boolean;
  readonly failing: Finding[];
  /** PutJobFailureResult message or PutJobSuccessResult summary, already within the API's limit. */
  readonly message: string;
}

export function gateDecision(
  findings: readonly Finding[],
  errors: readonly ScanError[],
  notFound: readonly NotFound[],
  failOn: RuleSeverity,
  /** Named resources that do not exist are reported, not failed (the endpoint gate before a first deployment). */
  allowMissing = false,
): GateDecision {
  const failing = findings.filter((f) => f.status === 'NON_COMPLIANT' && RANK[f.severity] >= RANK[failOn]);
  const judged = new Set(findings.map((f) => f.resourceId)).size;
  const ruleIds = [...new Set(failing.map((f) => f.ruleId))].sort();
  // Machine-readable counts first (the release record keeps them), then the prose.
  const counts = renderGateCounts({
    findings: findings.length,
    resources: judged,
    failing: failing.length,
    failingRules: ruleIds,
    unreadable: errors.length,
    missing: notFound.length,
  });
  if (failing.length === 0 && errors.length === 0 && (notFound.length === 0 || allowMissing)) {
    const below = findings.filter((f) => f.status === 'NON_COMPLIANT').length;
    return {
      passed: true,
      failing,
      message: truncate(
        `${counts} Compliance gate passed: ${findings.length} finding(s) on ${judged} resource(s), none NON_COMPLIANT at or above ${failOn}` +
          (below > 0 ? ` (${below} below ${failOn})` : '') +
          (notFound.length > 0
            ? `; not there yet (allowed before a first deployment): ${notFound.map((n) => `${n.resourceKind} ${n.resource}`).join(', ')}`
            : ''),
        MAX_SUMMARY,
      ),
    };
  }
  const parts: string[] = [counts];
  // What to do comes right after each headline, before the details, so truncation never cuts it off.
  if (failing.length > 0) {
    parts.push(
      `Compliance gate failed: ${failing.length} NON_COMPLIANT finding(s) at or above ${failOn}, rules [${ruleIds.join(', ')}]:`,
    );
    for (const id of ruleIds)
      parts.push(`What to do (${id}): ${ruleById(id)?.remediation ?? 'see the rule catalogue'}`);
    for (const f of failing)
      parts.push(`${f.ruleId} (${f.severity}) on ${f.resourceName ?? f.resourceId}: ${f.reason}`);
  }
  if (errors.length > 0) {
    parts.push(`Could not read ${errors.length} resource(s), so compliance is unproven:`);
    parts.push(
      "What to do: on AccessDenied give the compliance checker's role read access to them; on throttling or a service error retry the stage. The gate never passes what it could not read.",
    );
    for (const e of errors) parts.push(`${e.resourceKind} ${e.resource}: ${e.operation} ${e.code}`);
  }
  if (notFound.length > 0) {
    parts.push(`Named resource(s) not found: ${notFound.map((n) => `${n.resourceKind} ${n.resource}`).join(', ')}`);
    parts.push(
      'What to do: push the image tag to the environment’s ECR repository or deploy the environment before this gate, or correct the names in the config; then retry the stage.',
    );
  }
  return { passed: false, failing, message: truncate(parts.join('\n'), MAX_FAILURE_MESSAGE) };
}
