/**
 * THE rule catalogue. Every rule is defined once in `rules/<area>.ts` and listed here; the nag pack (synth), the
 * Terraform plan check (plan) and the compliance checker Lambda (run) all take their rules from this list.
 */
import { PolicyContext } from './context';
import { ResourceFacts } from './facts';
import { Finding, Rule, Stage } from './rule';
import { regionAllowed } from './rules/residency';

export const RULES: readonly Rule[] = [regionAllowed];

/** Rules enforceable at a stage. */
export function rulesFor(stage: Stage): readonly Rule[] {
  return RULES.filter((r) => r.stages.includes(stage));
}

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** Judges every resource with every applicable rule of the stage. NOT_APPLICABLE verdicts are dropped. */
export function evaluate(resources: readonly ResourceFacts[], ctx: PolicyContext, stage: Stage): Finding[] {
  const out: Finding[] = [];
  const rules = rulesFor(stage);
  for (const facts of resources) {
    for (const rule of rules) {
      if (!rule.appliesTo.includes(facts.kind)) continue;
      const result = rule.check(facts, ctx);
      if (result.status === 'NOT_APPLICABLE') continue;
      out.push({
        ...result,
        ruleId: rule.id,
        severity: rule.severity,
        resourceId: facts.id,
        resourceKind: facts.kind,
        ...(facts.name !== undefined ? { resourceName: facts.name } : {}),
      });
    }
  }
  return out;
}
