/**
 * The Terraform adapter's input: the JSON of `terraform show -json <planfile>`, minimally typed, checked for
 * the shape the adapter relies on, and read by path.
 */
import { isObj } from '../adapter-readings';

/** One entry of a plan's `resource_changes`; only what the adapter reads is typed. */
export interface PlanResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly change: {
    readonly actions: readonly string[];
    readonly after?: unknown;
    readonly after_unknown?: unknown;
  };
}

/** `terraform show -json` of a saved plan, minimally typed. */
export interface TerraformPlan {
  readonly format_version: string;
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly configuration?: unknown;
  readonly prior_state?: unknown;
  readonly variables?: Readonly<Record<string, { readonly value?: unknown }>>;
  readonly [key: string]: unknown;
}

export interface FromPlanOptions {
  /**
   * Region of every resource in the plan.
   * @default - the `aws_region` data source read at plan time, else the provider's literal `region` (or the root
   * variable it names); undefined when neither shows it
   */
  readonly region?: string;
}

/** The file is not the JSON of `terraform show -json <planfile>`. */
export class TerraformPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerraformPlanError';
  }
}

/** Shown for a value Terraform learns only at apply time, when no reference names it better. */
export const KNOWN_AFTER_APPLY = '(known after apply)';

export type Path = readonly (string | number)[];

export const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function at(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) {
    if (typeof p === 'number') v = Array.isArray(v) ? v[p] : undefined;
    else v = isObj(v) ? v[p] : undefined;
  }
  return v;
}

/** Checks the shape the adapter relies on; the message names the field, the value received and the fix. */
export function parseTerraformPlan(json: unknown, source = 'plan.json'): TerraformPlan {
  const fix = 'write it with `terraform plan -out plan.tfplan && terraform show -json plan.tfplan > plan.json`';
  if (!isObj(json)) throw new TerraformPlanError(`${source}: expected a JSON object, got ${typeof json}; ${fix}`);
  if (typeof json.format_version !== 'string') {
    throw new TerraformPlanError(
      `${source}: format_version must be a string, got ${JSON.stringify(json.format_version)}; ${fix}`,
    );
  }
  if (json.resource_changes !== undefined && !Array.isArray(json.resource_changes)) {
    throw new TerraformPlanError(`${source}: resource_changes must be an array; ${fix}`);
  }
  if (json.planned_values === undefined && json.resource_changes === undefined) {
    throw new TerraformPlanError(
      `${source}: has neither planned_values nor resource_changes, so it is state or configuration JSON, not a plan; ${fix}`,
    );
  }
  (json.resource_changes as unknown[] | undefined)?.forEach((rc, i) => {
    const ok =
      isObj(rc) &&
      typeof rc.address === 'string' &&
      typeof rc.type === 'string' &&
      isObj(rc.change) &&
      Array.isArray(rc.change.actions);
    if (!ok) {
      throw new TerraformPlanError(
        `${source}: resource_changes[${i}] needs address, type and change.actions, got ${JSON.stringify(rc)?.slice(0, 120)}; ${fix}`,
      );
    }
  });
  return json as TerraformPlan;
}
