import { PolicyStatementFacts } from '../facts';
import { allowsAnyPrincipal, restrictsCaller } from '../policy-document';
import { compliant, nonCompliant, RuleResult, unknownValue } from '../rule';

const label = (s: PolicyStatementFacts, i: number) => (s.sid !== undefined ? `"${s.sid}"` : `#${i + 1}`);

/**
 * The one judgement of "a resource policy (bucket, repository, trust policy) opens nothing to any principal",
 * shared by the rules that read resource policies: an Allow to `*`, to any account (`arn:aws:iam::*:root`) or
 * through `NotPrincipal` is open unless a condition pins the caller (`restrictsCaller`): a condition that is always
 * true restricts nothing. `relevant` narrows the statements judged (e.g. to sts:AssumeRole for a trust policy).
 */
export function judgeOpenToAnyPrincipal(
  statements: readonly PolicyStatementFacts[] | undefined,
  what: string,
  relevant: (s: PolicyStatementFacts) => boolean = () => true,
): RuleResult {
  if (statements === undefined) return unknownValue(what, 'no statement may allow any principal');
  const open: string[] = [];
  const unknown: string[] = [];
  statements.forEach((s, i) => {
    if (s.effect === 'Deny') return;
    const parts = new Set(s.unknownParts ?? []);
    // A statement whose principal is shown and names nobody-in-general cannot open anything, whatever else it hides.
    const principalShown = !parts.has('principal') && !parts.has('effect');
    if (principalShown && (s.effect !== 'Allow' || !allowsAnyPrincipal(s))) return;
    if (!parts.has('action') && !relevant(s)) return;
    // Any principal, but a condition the source does not show might pin the caller (or an effect might be Deny).
    if (s.unknown && (!principalShown || parts.has('condition'))) {
      unknown.push(label(s, i));
      return;
    }
    if (restrictsCaller(s)) return;
    const who =
      s.notPrincipal === true ? `every principal except [${s.principals.join(', ')}]` : `[${s.principals.join(', ')}]`;
    const actions =
      s.notActions !== undefined ? `every action except [${s.notActions.join(', ')}]` : s.actions.join(', ');
    const conditions =
      s.conditions.length === 0
        ? 'with no condition'
        : `with condition(s) that do not pin the caller (${s.conditions.map((c) => `${c.operator} ${c.key} [${c.values.join(', ')}]`).join('; ')})`;
    open.push(`${label(s, i)} allows ${actions} to ${who} ${conditions}`);
  });
  if (open.length > 0)
    return nonCompliant(
      `${what} statement(s) ${open.join('; ')}; name the principals or pin the caller's account or organisation by condition`,
    );
  if (unknown.length > 0)
    return unknownValue(`${what} statement(s) ${unknown.join(', ')}`, 'no statement may allow any principal');
  return compliant(`no ${what} statement allows any principal`);
}
