/**
 * Plan-time adapter: the JSON of `terraform show -json <planfile>` -> resource facts.
 *
 * Pure: it reads the plan object it is given and nothing else. It describes what the plan will leave in place
 * (creates, updates, replacements and no-ops; never deletions) and nothing more. A value Terraform only learns at
 * apply time (`after_unknown`) is not shown: it becomes the weakest setting or an unknown key, never a compliant
 * guess. Where the plan's `configuration` section shows that an unknown value comes from a resource of the same
 * configuration (a key ARN from `aws_kms_key.x.arn`, a bucket id from `aws_s3_bucket.x.id`), the adapter follows
 * the reference, as the CloudFormation adapter follows a `Ref`.
 *
 * Terraform splits an S3 bucket into several resources (versioning, encryption, public access block, logging,
 * lifecycle, policy); they are joined to their bucket by its name when the plan knows it, else by reference.
 */
// Shared by the adapters so each reads a setting the same way (the parity test holds them to it).
import { AWS_MANAGED_ALIAS, minimum, PURPOSES, STRATEGIES, wildcardMatches } from './adapter-readings';
import {
  BucketFacts,
  BucketPurpose,
  BuildProjectFacts,
  DataCaptureFacts,
  EndpointConfigFacts,
  EndpointFacts,
  EventRuleFacts,
  EventTargetFacts,
  IdentityPolicyFacts,
  KeyFacts,
  KeyRef,
  ModelFacts,
  RepositoryFacts,
  ResourceFacts,
  RoleFacts,
  RolloutStrategy,
  SELF_ACCOUNT,
  TAGS,
} from './facts';
import { withCaptureDestinations } from './capture-destinations';
import { s3PatternMatch } from './event-pattern';
import { imageSourceOf } from './image-uri';
import { arnParts, enforcesTls, normalizeStatements } from './policy-document';

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

type Obj = Readonly<Record<string, unknown>>;
type Path = readonly (string | number)[];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function at(root: unknown, path: Path): unknown {
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

/** A planned resource instance with its configuration expressions. */
class Instance {
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

const REF = /^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[([^\]]+)\])?/;

/** All planned managed instances, indexed for lookups by address and type. */
class PlanIndex {
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

/** Resource types that can only be customer-managed keys (or aliases, which cannot take the `alias/aws/` prefix). */
const CUSTOMER_KEY_TYPES = [
  'aws_kms_key',
  'aws_kms_replica_key',
  'aws_kms_external_key',
  'aws_kms_replica_external_key',
];

/**
 * A KMS key attribute as a KeyRef.
 * - Known literal: `alias/aws/...` is AWS-managed; any other id, ARN or alias is customer-managed (the convention of
 *   the CloudFormation adapter), unless it was read from a data source, which could be any key: unknown.
 * - Unknown at plan time: customer-managed when the configuration takes it from a KMS key or alias resource of the
 *   same module; otherwise unknown (`customerManaged: undefined`).
 * - Absent: undefined (the service's default key).
 */
function keyRef(inst: Instance, path: Path): KeyRef | undefined {
  const refs = inst.references(path);
  const fromDataSource = refs.some((r) => r.startsWith('data.'));
  if (!inst.unknown(path)) {
    const v = str(inst.known(path));
    if (v === undefined || v === '') return undefined;
    if (AWS_MANAGED_ALIAS.test(v)) return { id: v, customerManaged: false };
    return { id: v, customerManaged: fromDataSource ? undefined : true };
  }
  const resourceRef = refs.find((r) => {
    const m = REF.exec(r);
    return m !== null && m[1] === undefined && (CUSTOMER_KEY_TYPES.includes(m[2]!) || m[2] === 'aws_kms_alias');
  });
  if (resourceRef !== undefined) return { id: resourceRef, customerManaged: true };
  // Unknown and not configured in a static block: the provider computes it (the service's default key).
  const parent = path.slice(0, -1);
  if (inst.expression(path) === undefined && (parent.length === 0 || inst.expression(parent) !== undefined)) {
    return undefined;
  }
  return { id: refs[0] ?? KNOWN_AFTER_APPLY, customerManaged: undefined };
}

/** `tags_all` (tags plus the provider's default_tags); undefined when only known after apply. */
function tagsOf(inst: Instance): Record<string, string> | undefined {
  if (inst.unknown(['tags_all'])) return undefined;
  const tags = inst.known(['tags_all']) ?? inst.known(['tags']);
  if (tags === undefined || tags === null) return {};
  if (!isObj(tags)) return undefined;
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
}

function base(inst: Instance, nameAttr: string, region: string | undefined) {
  const name = str(inst.known([nameAttr]));
  const tags = tagsOf(inst);
  return {
    id: inst.address,
    ...(name !== undefined ? { name } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(tags !== undefined ? { tags } : {}),
  };
}

/** A string attribute, or the marker for one known only after apply. */
function shown(inst: Instance, path: Path): string | undefined {
  if (inst.unknown(path)) return inst.references(path)[0] ?? KNOWN_AFTER_APPLY;
  return str(inst.known(path));
}

function stringList(inst: Instance, path: Path): string[] {
  if (inst.unknown(path)) return [KNOWN_AFTER_APPLY];
  return arr(inst.known(path)).map((_, i) => shown(inst, [...path, i]) ?? KNOWN_AFTER_APPLY);
}

/** Number of entries of a block list, 0 when it is absent or unknown. */
function blockCount(inst: Instance, path: Path): number {
  return arr(inst.known(path)).length;
}

function modelFacts(inst: Instance, region: string | undefined): ModelFacts {
  const vpc = blockCount(inst, ['vpc_config']) > 0;
  const containers = [
    ...arr(inst.known(['primary_container'])).map((_, i) => ['primary_container', i] as Path),
    ...arr(inst.known(['container'])).map((_, i) => ['container', i] as Path),
  ];
  const role = shown(inst, ['execution_role_arn']);
  return {
    ...base(inst, 'name', region),
    kind: 'Model',
    // Unknown at plan time is not shown, so it is not isolation.
    networkIsolation: inst.known(['enable_network_isolation']) === true,
    ...(vpc
      ? {
          vpc: {
            subnetIds: stringList(inst, ['vpc_config', 0, 'subnets']),
            securityGroupIds: stringList(inst, ['vpc_config', 0, 'security_group_ids']),
          },
        }
      : {}),
    ...(role !== undefined ? { executionRoleArn: role } : {}),
    images: containers.flatMap((c) => {
      const image = shown(inst, [...c, 'image']);
      return image !== undefined ? [image] : [];
    }),
    // An image known only after apply (a repository being created) is unknown: the registry and tag of a local's
    // expression are not in the plan JSON.
    imageSources: containers.flatMap((c) => {
      if (inst.unknown([...c, 'image']))
        return [{ uri: shown(inst, [...c, 'image']) ?? KNOWN_AFTER_APPLY, registryAccount: undefined, pin: undefined }];
      const image = str(inst.known([...c, 'image']));
      return image !== undefined ? [imageSourceOf(image)] : [];
    }),
  };
}

/**
 * Unknown settings take their least compliant value, as in the CloudFormation adapter: an unknown enable_capture is
 * off, an unknown sampling percentage is 100, unknown capture options capture nothing.
 */
function dataCaptureFacts(inst: Instance, index: PlanIndex): DataCaptureFacts {
  const dc: Path = ['data_capture_config', 0];
  const modes = arr(inst.known([...dc, 'capture_options'])).map((o) => str(at(o, ['capture_mode'])));
  const enable = inst.known([...dc, 'enable_capture']);
  const kmsKey = keyRef(inst, [...dc, 'kms_key_id']);
  // A destination known only after apply that comes from a bucket of the plan names that bucket, as the
  // CloudFormation adapter renders a reference (`s3://${Bucket}`): the capture-destination rules follow it.
  const fromBucket = inst.unknown([...dc, 'destination_s3_uri'])
    ? index.referenced(inst, [...dc, 'destination_s3_uri'], ['aws_s3_bucket'])
    : undefined;
  const destination =
    fromBucket !== undefined ? `s3://\${${fromBucket.address}}` : shown(inst, [...dc, 'destination_s3_uri']);
  return {
    // SageMaker captures when the block is present and EnableCapture is omitted.
    enabled: inst.unknown([...dc, 'enable_capture'])
      ? false
      : enable === undefined || enable === null || enable === true,
    samplingPercent: num(inst.known([...dc, 'initial_sampling_percentage'])) ?? 100,
    captureInput: modes.includes('Input') || modes.includes('InputAndOutput'),
    captureOutput: modes.includes('Output') || modes.includes('InputAndOutput'),
    ...(kmsKey ? { kmsKey } : {}),
    ...(destination !== undefined ? { destinationS3Uri: destination } : {}),
  };
}

function endpointConfigFacts(inst: Instance, index: PlanIndex, region: string | undefined): EndpointConfigFacts {
  const kmsKey = keyRef(inst, ['kms_key_arn']);
  const captureShown = inst.unknown(['data_capture_config']) || blockCount(inst, ['data_capture_config']) > 0;
  // Shadow variants receive copies of production traffic, so their models process the same data.
  const variants = ['production_variants', 'shadow_production_variants'].flatMap((block) =>
    arr(inst.known([block])).map((_, i) => shown(inst, [block, i, 'model_name']) ?? KNOWN_AFTER_APPLY),
  );
  return {
    ...base(inst, 'name', region),
    kind: 'EndpointConfig',
    ...(kmsKey ? { kmsKey } : {}),
    ...(captureShown ? { dataCapture: dataCaptureFacts(inst, index) } : {}),
    modelNames: variants,
  };
}

function endpointFacts(inst: Instance, region: string | undefined): EndpointFacts {
  const dc: Path = ['deployment_config', 0];
  const blueGreen = blockCount(inst, [...dc, 'blue_green_update_policy']) > 0;
  const type = str(inst.known([...dc, 'blue_green_update_policy', 0, 'traffic_routing_configuration', 0, 'type']));
  const environment = tagsOf(inst)?.[TAGS.ENVIRONMENT];
  const configName = shown(inst, ['endpoint_config_name']);
  return {
    ...base(inst, 'name', region),
    kind: 'Endpoint',
    ...(configName !== undefined ? { endpointConfigName: configName } : {}),
    ...(environment !== undefined ? { environment } : {}),
    // A rolling_update_policy is not blue/green traffic shifting and is not recorded as a deployment.
    ...(blueGreen
      ? {
          deployment: {
            strategy:
              type !== undefined && (STRATEGIES as readonly string[]).includes(type)
                ? (type as RolloutStrategy)
                : 'ALL_AT_ONCE',
            rollbackAlarmCount: blockCount(inst, [...dc, 'auto_rollback_configuration', 0, 'alarms']),
          },
        }
      : {}),
  };
}

/** Repository-name filters of registry scanning rules that scan on push or continuously. */
function registryScanFilters(index: PlanIndex): string[] {
  return index.ofType('aws_ecr_registry_scanning_configuration').flatMap((inst) =>
    arr(inst.known(['rule'])).flatMap((rule) => {
      const freq = str(at(rule, ['scan_frequency']));
      if (freq !== 'SCAN_ON_PUSH' && freq !== 'CONTINUOUS_SCAN') return [];
      return arr(at(rule, ['repository_filter'])).flatMap((f) => {
        const filter = str(at(f, ['filter']));
        return filter !== undefined ? [filter] : [];
      });
    }),
  );
}

/** The instance of `parentType` a child resource (`aws_ecr_lifecycle_policy`, `aws_s3_bucket_*`) belongs to. */
function parentOf(
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

function repositoryFacts(inst: Instance, index: PlanIndex, region: string | undefined): RepositoryFacts {
  const name = str(inst.known(['name']));
  const registryScans = registryScanFilters(index).some((f) =>
    name !== undefined ? wildcardMatches(f, name) : /^\*+$/.test(f),
  );
  const enc: Path = ['encryption_configuration', 0];
  const encType = str(inst.known([...enc, 'encryption_type']));
  // Absent configuration means ECR's default AES256; an unknown type is taken as the weakest, AES256.
  const type: RepositoryFacts['encryption']['type'] = encType === 'KMS' || encType === 'KMS_DSSE' ? encType : 'AES256';
  // KMS without a key means the AWS-managed aws/ecr key.
  const kmsKey =
    type === 'AES256'
      ? undefined
      : (keyRef(inst, [...enc, 'kms_key']) ?? { id: 'alias/aws/ecr', customerManaged: false });
  const hasLifecyclePolicy = index.ofType('aws_ecr_lifecycle_policy').some((p) => {
    if (parentOf(index, p, 'repository', 'aws_ecr_repository', 'name') !== inst) return false;
    return p.unknown(['policy']) || (str(p.known(['policy'])) ?? '') !== '';
  });
  return {
    ...base(inst, 'name', region),
    kind: 'Repository',
    // IMMUTABLE_WITH_EXCLUSION leaves the excluded tags overwritable, so it does not count as immutable.
    tagImmutable: inst.known(['image_tag_mutability']) === 'IMMUTABLE',
    scanOnPush: inst.known(['image_scanning_configuration', 0, 'scan_on_push']) === true || registryScans,
    encryption: { type, ...(kmsKey ? { kmsKey } : {}) },
    hasLifecyclePolicy,
    policyStatements: joinedPolicies(
      index
        .ofType('aws_ecr_repository_policy')
        .filter((p) => parentOf(index, p, 'repository', 'aws_ecr_repository', 'name') === inst),
    ),
  };
}

/**
 * The statements of a resource's separate policy resources (`aws_s3_bucket_policy`, `aws_ecr_repository_policy`):
 * empty when there are none, undefined when one is known only after apply.
 */
function joinedPolicies(policies: readonly Instance[]) {
  const docs = policies.map((p) => policyStatementsAt(p, ['policy']));
  return docs.includes(undefined) ? undefined : docs.flatMap((d) => d ?? []);
}

/** Canned ACLs that grant to AllUsers or AuthenticatedUsers. */
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const PUBLIC_GROUPS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

/** `aws_s3_bucket_acl` (canned ACL or grants) or the bucket's legacy `acl`: grants to a public group. */
function publicAcl(inst: Instance, acls: readonly Instance[]): boolean | undefined {
  const verdicts = [inst, ...acls].map((a) => {
    // The provider computes `acl` and `access_control_policy` when they are not configured: unknown only if set.
    const unknown = (attr: string) => a.unknown([attr]) && a.expression([attr]) !== undefined;
    if (unknown('acl') || unknown('access_control_policy')) return undefined;
    const canned = str(a.known(['acl']));
    if (canned !== undefined && PUBLIC_CANNED_ACLS.has(canned)) return true;
    const grants = arr(a.known(['access_control_policy', 0, 'grant']));
    return grants.some((g) => PUBLIC_GROUPS.test(str(at(g, ['grantee', 0, 'uri'])) ?? ''));
  });
  return verdicts.includes(true) ? true : verdicts.includes(undefined) ? undefined : false;
}

/** An enabled lifecycle rule that filters nothing (no prefix, tag or size bound) bounds the whole bucket. */
function wholeBucket(rule: unknown): boolean {
  if (at(rule, ['status']) !== 'Enabled') return false;
  const prefix = at(rule, ['prefix']);
  if (prefix !== undefined && prefix !== null && prefix !== '') return false;
  return arr(at(rule, ['filter'])).every((f) => {
    const p = at(f, ['prefix']);
    return (
      (p === undefined || p === null || p === '') &&
      arr(at(f, ['tag'])).length === 0 &&
      arr(at(f, ['and'])).length === 0 &&
      (at(f, ['object_size_greater_than']) ?? null) === null &&
      (at(f, ['object_size_less_than']) ?? null) === null
    );
  });
}

function bucketFacts(inst: Instance, index: PlanIndex, region: string | undefined): BucketFacts {
  const children = (type: string) =>
    index.ofType(type).filter((c) => parentOf(index, c, 'bucket', 'aws_s3_bucket', 'bucket') === inst);
  const purposeTag = tagsOf(inst)?.[TAGS.PURPOSE] as BucketPurpose | undefined;

  const sse = children('aws_s3_bucket_server_side_encryption_configuration')[0];
  const byDefault: Path = ['rule', 0, 'apply_server_side_encryption_by_default', 0];
  const algorithm = sse !== undefined ? str(sse.known([...byDefault, 'sse_algorithm'])) : undefined;
  // Since January 2023 S3 encrypts every bucket with SSE-S3 when nothing else is configured; an unknown algorithm
  // is taken as the weakest, AES256.
  const type: BucketFacts['encryption']['type'] =
    algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse' ? algorithm : 'AES256';
  const kmsKey =
    type === 'AES256' || sse === undefined
      ? undefined
      : (keyRef(sse, [...byDefault, 'kms_master_key_id']) ?? { id: 'alias/aws/s3', customerManaged: false });

  const pab = children('aws_s3_bucket_public_access_block')[0];
  const publicAccessBlocked =
    pab !== undefined &&
    ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every(
      (k) => pab.known([k]) === true,
    );

  const versioned =
    children('aws_s3_bucket_versioning').some(
      (v) => v.known(['versioning_configuration', 0, 'status']) === 'Enabled',
    ) || inst.known(['versioning', 0, 'enabled']) === true;

  const accessLogging =
    children('aws_s3_bucket_logging').some(
      (l) => l.unknown(['target_bucket']) || str(l.known(['target_bucket'])) !== undefined,
    ) || blockCount(inst, ['logging']) > 0;

  const rules = children('aws_s3_bucket_lifecycle_configuration')
    .flatMap((l) => arr(l.known(['rule'])))
    .filter(wholeBucket);
  const expirationDays = minimum(rules.map((r) => num(at(r, ['expiration', 0, 'days']))));
  const noncurrentExpirationDays = minimum(
    rules.map((r) => {
      const nve = at(r, ['noncurrent_version_expiration', 0]);
      // newer_noncurrent_versions keeps that many noncurrent versions forever, so the rule bounds nothing for them.
      return (num(at(nve, ['newer_noncurrent_versions'])) ?? 0) > 0 ? undefined : num(at(nve, ['noncurrent_days']));
    }),
  );

  // The same TLS reading as every adapter (policy-document.ts); a policy not known at plan time is unknown.
  const names = [str(inst.known(['bucket']))].filter((n): n is string => n !== undefined);
  const verdicts = children('aws_s3_bucket_policy').map((p) =>
    enforcesTls(normalizeStatements(p.known(['policy'])), names),
  );
  const tlsOnly = verdicts.includes(true) ? true : verdicts.includes(undefined) ? undefined : false;
  // A log delivery target: some bucket's aws_s3_bucket_logging names this one as its target.
  const logTarget = index
    .ofType('aws_s3_bucket_logging')
    .some((l) => parentOf(index, l, 'bucket', 'aws_s3_bucket', 'bucket') !== inst && isLogTargetOf(index, l, inst));

  return {
    ...base(inst, 'bucket', region),
    kind: 'Bucket',
    purpose: purposeTag !== undefined && PURPOSES.includes(purposeTag) ? purposeTag : 'other',
    encryption: { type, ...(kmsKey ? { kmsKey } : {}) },
    versioned,
    publicAcl: publicAcl(inst, children('aws_s3_bucket_acl')),
    policyStatements: joinedPolicies(children('aws_s3_bucket_policy')),
    ...(logTarget ? { logTarget } : {}),
    publicAccessBlocked,
    accessLogging,
    tlsOnly,
    ...(expirationDays !== undefined ? { expirationDays } : {}),
    ...(noncurrentExpirationDays !== undefined ? { noncurrentExpirationDays } : {}),
  };
}

/** The logging resource delivers to `bucket`: by its known name, else by a reference to it. */
function isLogTargetOf(index: PlanIndex, logging: Instance, bucket: Instance): boolean {
  const name = str(bucket.known(['bucket']));
  const target = str(logging.known(['target_bucket']));
  if (name !== undefined && target !== undefined) return name === target;
  return index.referenced(logging, ['target_bucket'], ['aws_s3_bucket']) === bucket;
}

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

/** Facts for every SageMaker model, endpoint config and endpoint, ECR repository and S3 bucket the plan keeps. */
/** A policy document attribute: statements when the plan shows it, undefined when it is known only after apply. */
function policyStatementsAt(inst: Instance, path: Path) {
  return inst.unknown(path) ? undefined : normalizeStatements(inst.known(path) ?? '{}');
}

function keyFacts(inst: Instance, region: string | undefined): KeyFacts {
  const purpose = tagsOf(inst)?.[TAGS.PURPOSE];
  return {
    ...base(inst, 'description', region),
    kind: 'Key',
    ...(typeof purpose === 'string' ? { purpose } : {}),
    policyStatements: policyStatementsAt(inst, ['policy']),
    rotationEnabled: inst.unknown(['enable_key_rotation']) ? undefined : inst.known(['enable_key_rotation']) === true,
    keySpec: inst.unknown(['customer_master_key_spec'])
      ? undefined
      : (str(inst.known(['customer_master_key_spec'])) ?? 'SYMMETRIC_DEFAULT'),
  };
}

function roleFacts(inst: Instance, region: string | undefined): RoleFacts {
  return {
    ...base(inst, 'name', region),
    kind: 'Role',
    trustStatements: policyStatementsAt(inst, ['assume_role_policy']),
  };
}

function buildProjectFacts(inst: Instance, region: string | undefined): BuildProjectFacts {
  const env: Path = ['environment', 0];
  const vars = inst.unknown([...env, 'environment_variable'])
    ? undefined
    : arr(inst.known([...env, 'environment_variable'])).flatMap((v) =>
        (str(at(v, ['type'])) ?? 'PLAINTEXT') === 'PLAINTEXT'
          ? [{ name: str(at(v, ['name'])) ?? '', value: str(at(v, ['value'])) ?? KNOWN_AFTER_APPLY }]
          : [],
      );
  return {
    ...base(inst, 'name', region),
    kind: 'BuildProject',
    privilegedMode: inst.unknown([...env, 'privileged_mode'])
      ? undefined
      : inst.known([...env, 'privileged_mode']) === true,
    plaintextVariables: vars,
  };
}

/**
 * The account of an event target's ARN: the literal account of a known ARN; for an ARN known only after apply,
 * `SELF` when it comes from a resource of this configuration under the rule's own provider configuration (a resource
 * under another provider configuration may be in another account: unknown).
 */
function targetAccount(target: Instance, rule: Instance, index: PlanIndex): string | undefined {
  if (!target.unknown(['arn'])) {
    const account = arnParts(str(target.known(['arn'])) ?? '')[4];
    return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
  }
  const from = index.referencedResource(target, ['arn']);
  return from !== undefined && from.provider !== undefined && from.provider === rule.provider
    ? SELF_ACCOUNT
    : undefined;
}

/**
 * An EventBridge rule (`aws_cloudwatch_event_rule`) with its `aws_cloudwatch_event_target`s, joined by the rule's
 * name when the plan knows it, else by reference. The buckets its pattern names are described by their facts
 * (`buckets`, capture destinations already marked): a bucket an endpoint captures to holds captured data, tagged or
 * not. A pattern known only after apply matches what it may match: the buckets its expression refers to, or any.
 */
function eventRuleFacts(
  inst: Instance,
  index: PlanIndex,
  buckets: ReadonlyMap<Instance, BucketFacts>,
  region: string | undefined,
): EventRuleFacts {
  const purposeOf = (b: BucketFacts | undefined): BucketPurpose | 'unknown' =>
    b === undefined ? 'unknown' : b.captureDestination === true ? 'data-capture' : b.purpose;
  const byName = (name: unknown) =>
    typeof name === 'string' ? [...buckets.values()].find((b) => b.name === name) : undefined;
  const patternShown = !inst.unknown(['event_pattern']);
  const { matchesS3, buckets: named } = s3PatternMatch(inst.known(['event_pattern']) ?? undefined, patternShown);
  let bucketPurposes: EventRuleFacts['bucketPurposes'];
  if (!patternShown) {
    const referenced = index.referencedAll(inst, ['event_pattern'], ['aws_s3_bucket']);
    bucketPurposes = referenced.length > 0 ? referenced.map((b) => purposeOf(buckets.get(b))) : 'any';
  } else bucketPurposes = named === 'any' ? 'any' : named.map((n) => purposeOf(byName(n)));
  // A target whose rule the plan does not show could belong to this rule: the target list is then not shown.
  const targetsOfRules = index
    .ofType('aws_cloudwatch_event_target')
    .map((t) => ({ t, rule: parentOf(index, t, 'rule', 'aws_cloudwatch_event_rule', 'name') }));
  const orphan = targetsOfRules.some(({ t, rule }) => rule === undefined && t.unknown(['rule']));
  const targets: EventTargetFacts[] | undefined = orphan
    ? undefined
    : targetsOfRules
        .filter(({ rule }) => rule === inst)
        .map(({ t }) => ({ arn: shown(t, ['arn']) ?? KNOWN_AFTER_APPLY, account: targetAccount(t, inst, index) }));
  return { ...base(inst, 'name', region), kind: 'EventRule', matchesS3, bucketPurposes, targets };
}

/** A customer-managed policy or a role's inline policy; `role` names what an inline policy is attached to. */
function identityPolicyFacts(inst: Instance, region: string | undefined): IdentityPolicyFacts {
  const role = str(inst.known(['role']));
  return {
    ...base(inst, 'name', region),
    kind: 'IdentityPolicy',
    attachedTo: role !== undefined ? [role] : [],
    statements: policyStatementsAt(inst, ['policy']),
  };
}

export function factsFromPlan(plan: TerraformPlan, opts: FromPlanOptions = {}): ResourceFacts[] {
  const index = new PlanIndex(plan);
  const region = opts.region ?? planRegion(plan);
  const account = planAccount(plan);
  const out: ResourceFacts[] = [];
  for (const inst of index.instances) {
    switch (inst.rc.type) {
      case 'aws_sagemaker_model':
        out.push(modelFacts(inst, region));
        break;
      case 'aws_sagemaker_endpoint_configuration':
        out.push(endpointConfigFacts(inst, index, region));
        break;
      case 'aws_sagemaker_endpoint':
        out.push(endpointFacts(inst, region));
        break;
      case 'aws_ecr_repository':
        out.push(repositoryFacts(inst, index, region));
        break;
      case 'aws_s3_bucket':
        out.push(bucketFacts(inst, index, region));
        break;
      case 'aws_kms_key':
      case 'aws_kms_replica_key':
        out.push(keyFacts(inst, region));
        break;
      case 'aws_iam_role':
        out.push(roleFacts(inst, region));
        break;
      case 'aws_codebuild_project':
        out.push(buildProjectFacts(inst, region));
        break;
      case 'aws_iam_policy':
      case 'aws_iam_role_policy':
        // A document with a value known only after apply (an ARN of a resource being created) is not in the plan
        // at all: such a policy is judged by MLOPS-IAM-1 at synth (CDK) but cannot be at plan time.
        if (!inst.unknown(['policy'])) out.push(identityPolicyFacts(inst, region));
        break;
      default:
        break;
    }
  }
  const judged = withCaptureDestinations(out);
  // Event rules read the buckets' facts (purpose, capture destination), so they come after them.
  const bucketOf = new Map(
    index.ofType('aws_s3_bucket').flatMap((b) => {
      const f = judged.find((x) => x.id === b.address);
      return f?.kind === 'Bucket' ? [[b, f] as const] : [];
    }),
  );
  for (const rule of index.ofType('aws_cloudwatch_event_rule'))
    judged.push(eventRuleFacts(rule, index, bucketOf, region));
  return account === undefined ? judged : judged.map((f) => (f.account === undefined ? { ...f, account } : f));
}
