/**
 * AWS Config custom rule logic, pure: one Config rule per catalogue rule, verdicts -> `Evaluation`s, deduplicated
 * and batched for PutEvaluations (at most 100 per call).
 */
import type { ComplianceType, Evaluation } from '@aws-sdk/client-config-service';
import { ResourceFacts } from '../../core/policy/facts';
import { PolicyContext } from '../../core/policy/context';
import { ComplianceStatus, Rule } from '../../core/policy/rule';
import { CONFIG_RESOURCE_TYPES, ConfigKind, configKindsOf } from '../../core/policy/from-aws';

/** PutEvaluations accepts at most 100 evaluations per call. */
export const MAX_EVALUATIONS_PER_CALL = 100;
/** Evaluation.Annotation is at most 256 characters. */
export const MAX_ANNOTATION = 256;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

const COMPLIANCE: Record<ComplianceStatus, ComplianceType> = {
  COMPLIANT: 'COMPLIANT',
  NON_COMPLIANT: 'NON_COMPLIANT',
  NOT_APPLICABLE: 'NOT_APPLICABLE',
};

export function evaluation(
  kind: ConfigKind,
  resourceId: string,
  status: ComplianceStatus,
  reason: string,
  orderingTimestamp: Date,
): Evaluation {
  return {
    ComplianceResourceType: CONFIG_RESOURCE_TYPES[kind],
    ComplianceResourceId: resourceId,
    ComplianceType: COMPLIANCE[status],
    Annotation: truncate(reason, MAX_ANNOTATION),
    OrderingTimestamp: orderingTimestamp,
  };
}

/**
 * The resource id AWS Config uses for a resource: for SageMaker models, endpoint configs, endpoints and ECR
 * repositories that is the resource name (the ARN is kept in the configuration item's ARN field).
 */
export function configResourceId(facts: ResourceFacts): string {
  return facts.name ?? facts.id;
}

/** Judges each resource the rule covers with that one rule; NOT_APPLICABLE verdicts are reported too. */
export function evaluateForConfig(
  rule: Rule,
  resources: readonly ResourceFacts[],
  ctx: PolicyContext,
  at: Date,
): Evaluation[] {
  const kinds = new Set<string>(configKindsOf(rule.appliesTo));
  return resources
    .filter((r) => kinds.has(r.kind))
    .map((r) => {
      const result = rule.check(r, ctx);
      return evaluation(r.kind as ConfigKind, configResourceId(r), result.status, result.reason, at);
    });
}

export const evaluationKey = (e: Evaluation): string =>
  `${e.ComplianceResourceType ?? ''}|${e.ComplianceResourceId ?? ''}`;

/** Keeps the first evaluation per resource: Config must never see one resource twice in a call. */
export function dedupeEvaluations(evals: readonly Evaluation[]): { unique: Evaluation[]; duplicates: number } {
  const seen = new Set<string>();
  const unique: Evaluation[] = [];
  for (const e of evals) {
    const key = evaluationKey(e);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(e);
  }
  return { unique, duplicates: evals.length - unique.length };
}

export function batches<T>(items: readonly T[], size = MAX_EVALUATIONS_PER_CALL): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
