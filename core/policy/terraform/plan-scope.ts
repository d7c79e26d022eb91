/**
 * Where a plan deploys: its region and account, as far as the plan shows them.
 */
import { str } from '../adapter-readings';
import { arr, at, TerraformPlan } from './plan';

/** Every resource of every module of a state-like `values` tree (`prior_state.values`, `planned_values`). */
function stateResources(values: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (mod: unknown) => {
    out.push(...arr(at(mod, ['resources'])));
    arr(at(mod, ['child_modules'])).forEach(walk);
  };
  walk(at(values, ['root_module']));
  return out;
}

/** The region the plan deploys to, where the plan shows it. */
export function planRegion(plan: TerraformPlan): string | undefined {
  for (const r of stateResources(at(plan.prior_state, ['values']))) {
    if (at(r, ['mode']) !== 'data' || at(r, ['type']) !== 'aws_region') continue;
    const region = str(at(r, ['values', 'region'])) ?? str(at(r, ['values', 'name']));
    if (region !== undefined) return region;
  }
  const expr = at(plan.configuration, ['provider_config', 'aws', 'expressions', 'region']);
  const literal = str(at(expr, ['constant_value']));
  if (literal !== undefined) return literal;
  const refs = arr(at(expr, ['references']));
  const variable = refs.length === 1 ? /^var\.(\w+)$/.exec(String(refs[0]))?.[1] : undefined;
  return variable !== undefined ? str(plan.variables?.[variable]?.value) : undefined;
}

/** The account the plan deploys to: the `aws_caller_identity` data source read at plan time, where there is one. */
export function planAccount(plan: TerraformPlan): string | undefined {
  for (const r of stateResources(at(plan.prior_state, ['values']))) {
    if (at(r, ['mode']) !== 'data' || at(r, ['type']) !== 'aws_caller_identity') continue;
    const account = str(at(r, ['values', 'account_id']));
    if (account !== undefined) return account;
  }
  return undefined;
}
