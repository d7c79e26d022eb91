/**
 * The one definition of "a project account", shared by the rules that judge where grants and images point: the
 * policy's knownAccounts (every environment's account and the pipeline's tooling account), the resource's own
 * account, and what the adapters mark as the resource's own account (`SELF`: the `AWS::AccountId` pseudo
 * parameter, a repository of the same template).
 */
import { PolicyContext } from '../context';
import { ResourceFacts, SELF_ACCOUNT } from '../facts';

/** Rendered pseudo parameter of the resource's own account, as the CloudFormation adapter writes it. */
const OWN_ACCOUNT_PLACEHOLDER = '${AWS::AccountId}';

export function isProjectAccount(account: string, facts: ResourceFacts, ctx: PolicyContext): boolean {
  if (account === SELF_ACCOUNT || account === OWN_ACCOUNT_PLACEHOLDER) return true;
  if (facts.account !== undefined && account === facts.account) return true;
  return (ctx.policy.knownAccounts ?? []).includes(account);
}

/** The accounts the policy knows, for messages. */
export function projectAccounts(facts: ResourceFacts, ctx: PolicyContext): string {
  const all = [
    ...new Set([...(facts.account !== undefined ? [facts.account] : []), ...(ctx.policy.knownAccounts ?? [])]),
  ];
  return all.length > 0 ? `[${all.join(', ')}]` : '[the resource’s own account]';
}
