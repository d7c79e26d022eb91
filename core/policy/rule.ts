import { PolicyContext } from './context';
import { FactsOf, ResourceFacts, ResourceKind } from './facts';

export type RuleSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Where a rule can be enforced: some facts (image scan findings) exist only against live resources. */
export type Stage = 'synth' | 'plan' | 'run';

export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

export interface RuleResult {
  readonly status: ComplianceStatus;
  /** Why: names the value seen and the value required. */
  readonly reason: string;
}

export interface RuleReferences {
  /** GDPR articles, e.g. `Art. 5(1)(c)`. */
  readonly gdpr?: readonly string[];
  /** NIST 800-53 rev 5 controls, e.g. `SC-28`. */
  readonly nist80053?: readonly string[];
  /** The equivalent AWS Config managed rule identifier, where one exists. */
  readonly awsConfigRule?: string;
}

export interface Rule {
  /** `MLOPS-<AREA>-<N>`; stable, used in suppressions, reports and metrics. */
  readonly id: string;
  readonly title: string;
  readonly severity: RuleSeverity;
  readonly rationale: string;
  readonly remediation: string;
  readonly references: RuleReferences;
  readonly appliesTo: readonly ResourceKind[];
  readonly stages: readonly Stage[];
  /**
   * Why the run-time checker does not evaluate this rule, for rules enforced at synth or plan only: its report
   * lists the rule as not evaluated with this reason, rather than letting silence read as clean.
   */
  readonly notAtRunTime?: string;
  /** Judges one resource. Returns NOT_APPLICABLE for kinds the rule does not cover. */
  check(facts: ResourceFacts, ctx: PolicyContext): RuleResult;
}

export interface RuleDefinition<K extends ResourceKind> extends Omit<Rule, 'check' | 'appliesTo' | 'stages'> {
  readonly appliesTo: readonly K[];
  /** @default ['synth', 'plan', 'run'] */
  readonly stages?: readonly Stage[];
  check(facts: FactsOf<K>, ctx: PolicyContext): RuleResult;
}

export const compliant = (reason: string): RuleResult => ({ status: 'COMPLIANT', reason });
export const nonCompliant = (reason: string): RuleResult => ({ status: 'NON_COMPLIANT', reason });
export const notApplicable = (reason: string): RuleResult => ({ status: 'NOT_APPLICABLE', reason });

/**
 * The one verdict on a value the source does not show (a parameter, a condition, an unresolvable intrinsic, or a
 * live setting that could not be read): NON_COMPLIANT, because compliance cannot be shown, with a reason that says
 * the value is unknown rather than pretending it is the weakest setting.
 */
export const unknownValue = (what: string, required: string): RuleResult =>
  nonCompliant(
    `${what} is unknown (the source does not show it: a parameter, a condition or an unresolvable value decides ` +
      `it), so it cannot be shown compliant; ${required}`,
  );

/** Builds a rule whose check is typed to the kinds it covers. */
export function defineRule<K extends ResourceKind>(def: RuleDefinition<K>): Rule {
  const kinds = new Set<ResourceKind>(def.appliesTo);
  return {
    ...def,
    stages: def.stages ?? ['synth', 'plan', 'run'],
    check(facts, ctx) {
      if (!kinds.has(facts.kind)) return notApplicable(`${def.id} does not apply to ${facts.kind}`);
      return def.check(facts as FactsOf<K>, ctx);
    },
  };
}

/** One rule's verdict on one resource. */
export interface Finding extends RuleResult {
  readonly ruleId: string;
  readonly severity: RuleSeverity;
  readonly resourceId: string;
  readonly resourceKind: ResourceKind;
  readonly resourceName?: string;
}
