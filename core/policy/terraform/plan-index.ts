/**
 * The planned resource instances with their configuration expressions, indexed so that a reference
 * (`aws_kms_key.this["data"].arn`) or a name leads to the instance it names.
 */
import { isObj, Obj, str } from '../adapter-readings';
import { arr, at, Path, PlanResourceChange, TerraformPlan } from './plan';

/** A planned resource instance with its configuration expressions. */
export class Instance {
  constructor(
    readonly rc: PlanResourceChange,
    private readonly expressions: Obj | undefined,
    /** The provider configuration it uses (`aws`, `aws.other`; prefixed with its module): its account and region. */
    readonly provider?: string,
  ) {}

  get address(): string {
    return this.rc.address;
  }

  /** The address prefix of the instance's module (`module.env.`), empty at the root. */
  get modulePrefix(): string {
    return this.rc.module_address !== undefined ? `${this.rc.module_address}.` : '';
  }

  /** True when Terraform learns the value (or one of its parents) only at apply time. */
  unknown(path: Path): boolean {
    let u: unknown = this.rc.change.after_unknown;
    for (const p of path) {
      if (u === true) return true;
      u = at(u, [p]);
    }
    return u === true;
  }

  /** The planned value; undefined when it is unknown or absent. */
  known(path: Path): unknown {
    return this.unknown(path) ? undefined : at(this.rc.change.after, path);
  }

  /**
   * The configuration expression of an attribute. Blocks are lists in the configuration JSON; dynamic blocks are
   * missing from it altogether.
   */
  expression(path: Path): Obj | undefined {
    let e: unknown = this.expressions;
    for (const p of path) {
      // Instances of a static block share one expression; a block's expressions are `[ { ... } ]`.
      if (typeof p === 'number') e = Array.isArray(e) ? (e[p] ?? e[0]) : undefined;
      else e = isObj(e) ? e[p] : undefined;
    }
    return isObj(e) ? e : undefined;
  }

  /** Addresses an attribute's expression refers to: `aws_kms_key.this["data"].arn`, `var.x`, `each.key`. */
  references(path: Path): readonly string[] {
    return arr(this.expression(path)?.references).flatMap((r) => (typeof r === 'string' ? [r] : []));
  }
}

/** The resources of the module at `module_address` (`module.a.module.b`), from the plan's configuration section. */
function moduleResources(configuration: unknown, moduleAddress: string | undefined): readonly unknown[] {
  let mod = at(configuration, ['root_module']);
  for (const m of (moduleAddress ?? '').matchAll(/module\.([^.[]+)(\[[^\]]*\])?/g)) {
    mod = at(mod, ['module_calls', m[1]!, 'module']);
  }
  return arr(at(mod, ['resources']));
}

export const REF = /^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[([^\]]+)\])?/;

/** All planned managed instances, indexed for lookups by address and type. */
export class PlanIndex {
  readonly instances: Instance[] = [];
  private readonly byAddress = new Map<string, Instance>();

  constructor(plan: TerraformPlan) {
    const configCache = new Map<string, Map<string, Obj>>();
    const configOf = (rc: PlanResourceChange): Obj | undefined => {
      const key = rc.module_address ?? '';
      let map = configCache.get(key);
      if (map === undefined) {
        map = new Map();
        for (const r of moduleResources(plan.configuration, rc.module_address)) {
          const addr = str(at(r, ['address']));
          if (addr !== undefined && isObj(r)) map.set(addr, r);
        }
        configCache.set(key, map);
      }
      return map.get(`${rc.type}.${rc.name}`);
    };
    for (const rc of plan.resource_changes ?? []) {
      const actions = rc.change.actions;
      // What the plan leaves in place: a deletion (or a data source read) judges nothing.
      if (rc.mode !== 'managed' || (actions.length === 1 && actions[0] === 'delete')) continue;
      const config = configOf(rc);
      const expressions = at(config, ['expressions']);
      const provider = str(at(config, ['provider_config_key']));
      const inst = new Instance(rc, isObj(expressions) ? expressions : undefined, provider);
      this.instances.push(inst);
      this.byAddress.set(rc.address, inst);
    }
  }

  ofType(type: string): Instance[] {
    return this.instances.filter((i) => i.rc.type === type);
  }

  /**
   * The instance of one of `types` an attribute refers to. A reference with `each.key` / `count.index` beside it
   * (`aws_s3_bucket.this[each.key].id`) means the instance with the referring instance's own key.
   */
  referenced(from: Instance, path: Path, types: readonly string[]): Instance | undefined {
    return this.referencedAll(from, path, types)[0];
  }

  /** Every instance of one of `types` an attribute refers to, in the order of the references. */
  referencedAll(from: Instance, path: Path, types: readonly string[]): Instance[] {
    const refs = from.references(path);
    return refs.flatMap((ref) => {
      const m = REF.exec(ref);
      if (m === null || m[1] !== undefined || !types.includes(m[2]!)) return [];
      const base = `${from.modulePrefix}${m[2]}.${m[3]}`;
      let index = m[5];
      if (index === undefined && from.rc.index !== undefined && refs.includes('each.key')) {
        index = JSON.stringify(from.rc.index);
      }
      if (index === undefined && from.rc.index !== undefined && refs.includes('count.index')) {
        index = String(from.rc.index);
      }
      const found = this.byAddress.get(index !== undefined ? `${base}[${index}]` : base);
      return found !== undefined ? [found] : [];
    });
  }

  /** The managed instance an attribute refers to, of any type. */
  referencedResource(from: Instance, path: Path): Instance | undefined {
    const types = new Set(this.instances.map((i) => i.rc.type));
    return this.referencedAll(from, path, [...types])[0];
  }
}

/** The instance of `parentType` a child resource (`aws_ecr_lifecycle_policy`, `aws_s3_bucket_*`) belongs to. */
export function parentOf(
  index: PlanIndex,
  child: Instance,
  attr: string,
  parentType: string,
  parentNameAttr: string,
): Instance | undefined {
  const name = str(child.known([attr]));
  if (name !== undefined) {
    const byName = index.ofType(parentType).find((p) => str(p.known([parentNameAttr])) === name);
    if (byName !== undefined) return byName;
  }
  return index.referenced(child, [attr], [parentType]);
}
