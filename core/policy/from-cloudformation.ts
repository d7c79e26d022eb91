/**
 * Synth-time adapter: a synthesized CloudFormation template (the JSON in `cdk.out/*.template.json`) -> resource facts.
 *
 * Pure: it reads the template object it is given and nothing else, so the nag pack, tests and CLI tools can share it.
 * Property values may be intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::If`, ...). The adapter resolves
 * what a template alone can prove — a `Ref` to a KMS key defined in the same template, a literal, a join with pseudo
 * parameters — and otherwise records the value as unknown (`undefined`), so the rules report it as unknown. It
 * never guesses, neither compliant nor weakest. An absent property takes CloudFormation's documented default.
 */
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
  ImageSourceFacts,
  KeyFacts,
  KeyRef,
  ModelFacts,
  PolicyStatementFacts,
  RepositoryFacts,
  ResourceFacts,
  RoleFacts,
  RolloutStrategy,
  SELF_ACCOUNT,
  TAGS,
} from './facts';
import { withCaptureDestinations } from './capture-destinations';
import { s3PatternMatch } from './event-pattern';
import { imagePin, imageSourceOf } from './image-uri';
import { arnParts, enforcesTls, normalizeStatements, ValueRenderer } from './policy-document';

/** One resource of a template; only what the adapter reads is typed. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** A synthesized CloudFormation template, minimally typed. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface FromTemplateOptions {
  /** The stack's region; templates of environment-agnostic stacks carry none. */
  readonly region?: string;
  /** The stack's account; templates of environment-agnostic stacks carry none. */
  readonly account?: string;
  /**
   * Resource types behind `Fn::ImportValue` names, from the exporting templates (see `exportedResourceTypes`).
   * Without it an imported key is unknown; with it a key exported by a sibling stack is judged like a local one.
   */
  readonly imports?: Readonly<Record<string, CfnResource>>;
}

/** Import key for an export name in the merged resource map. */
const importKey = (name: string) => `Fn::ImportValue:${name}`;

/**
 * What each export of a set of templates points at: export name -> the exporting template's resource, when the
 * output's value is a `Ref` or `Fn::GetAtt` of one.
 */
export function exportedResourceTypes(templates: readonly CfnTemplate[]): Record<string, CfnResource> {
  const out: Record<string, CfnResource> = {};
  for (const t of templates) {
    const outputs = isObj(t.Outputs) ? (t.Outputs as Obj) : {};
    const resources = isObj(t.Resources) ? (t.Resources as Readonly<Record<string, CfnResource>>) : {};
    for (const output of Object.values(outputs)) {
      if (!isObj(output)) continue;
      const name = str(obj(output.Export)?.Name);
      const target = refTarget(output.Value);
      if (name !== undefined && target !== undefined && resources[target]) out[name] = resources[target];
    }
  }
  return out;
}

type Obj = Readonly<Record<string, unknown>>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The intrinsic function name when `v` is a `{ Ref }` / `{ Fn::X }` object. */
function intrinsicName(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')) ? keys[0] : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): readonly unknown[] | undefined => (Array.isArray(v) ? v : undefined);
const obj = (v: unknown): Obj | undefined => (isObj(v) && intrinsicName(v) === undefined ? v : undefined);

/** CloudFormation accepts both `true` and `"true"`; an intrinsic is unknown. */
function bool(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/** A boolean property: absent -> the service default; literal -> itself; an intrinsic -> unknown. */
function flag(v: unknown, absent: boolean): boolean | undefined {
  return v === undefined ? absent : bool(v);
}

/** A property whose whole value is an intrinsic (`Fn::If`, a `Ref` to a parameter...): the source does not show it. */
const hidden = (v: unknown): boolean => intrinsicName(v) !== undefined;

/**
 * The properties of a resource whose whole `Properties` is behind an intrinsic: every property reads as hidden
 * (an `Fn::If` the adapter cannot evaluate), so each fact is unknown rather than the absent default.
 */
const HIDDEN_PROPERTIES: Obj = new Proxy(
  {},
  {
    get: (_target, key) =>
      typeof key === 'string' ? { 'Fn::If': ['(the resource’s Properties are behind a condition)', key] } : undefined,
    has: () => true,
  },
);

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

/** The logical id (or pseudo parameter) a `Ref` / `Fn::GetAtt` points at. */
function refTarget(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/**
 * A readable rendering of a value for reports: intrinsics in `Fn::Sub` syntax (`${Repo}`, `${Key.Arn}`), joins and
 * substitutions flattened, anything else as JSON. Used where facts hold strings the template cannot resolve.
 */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isObj(v)) {
    if (typeof v.Ref === 'string') return `\${${v.Ref}}`;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.map(renderValue).join('.')}}`;
    if (typeof getAtt === 'string') return `\${${getAtt}}`;
    const join = arr(v['Fn::Join']);
    if (join && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(renderValue).join(join[0]);
    const select = arr(v['Fn::Select']);
    if (select && select.length === 2) {
      const split = isObj(select[1]) ? arr(select[1]['Fn::Split']) : undefined;
      const index = num(select[0]);
      // A literal split is computed; CDK's account/region-from-ARN pattern stays symbolic but readable.
      if (split && typeof split[0] === 'string' && typeof split[1] === 'string' && index !== undefined) {
        return split[1].split(split[0])[index] ?? JSON.stringify(v);
      }
      if (split && typeof split[0] === 'string') {
        return `\${Select(${renderValue(select[0])}, Split("${split[0]}", ${renderValue(split[1])}))}`;
      }
    }
    const sub = v['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') {
      const vars = isObj(sub[1]) ? sub[1] : {};
      return sub[0].replace(/\$\{([^}!][^}]*)\}/g, (m, name: string) => (name in vars ? renderValue(vars[name]) : m));
    }
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** `alias/aws/...` names are reserved for AWS-managed keys; nobody else can create them. */
export const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//;

const KMS_KEY_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);

/**
 * The shapes KMS accepts for a key: a key id (a UUID, or `mrk-` and 32 hex digits for a multi-Region key), a key
 * ARN, an alias name or an alias ARN.
 */
const KEY_SHAPE =
  /^((arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/[A-Za-z0-9/_-]+)$/;

/**
 * Every reference inside a value (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`), and whether the value
 * contains an intrinsic whose result the template alone cannot know (`Fn::ImportValue`, `Fn::If`, `Fn::FindInMap`...).
 */
function referencesIn(v: unknown, out: { refs: string[]; opaque: boolean }): void {
  if (Array.isArray(v)) {
    v.forEach((x) => referencesIn(x, out));
    return;
  }
  if (!isObj(v)) return;
  const fn = intrinsicName(v);
  if (fn === undefined) {
    Object.values(v).forEach((x) => referencesIn(x, out));
    return;
  }
  const body = v[fn];
  switch (fn) {
    case 'Fn::ImportValue': {
      if (typeof body === 'string') out.refs.push(importKey(body));
      else out.opaque = true;
      return;
    }
    case 'Ref':
    case 'Fn::GetAtt': {
      const t = refTarget(v);
      if (t === undefined) out.opaque = true;
      else out.refs.push(t);
      return;
    }
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(body) ? [body[0], body[1]] : [body, undefined];
      const local = isObj(vars) ? vars : {};
      for (const m of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const name = m[1];
        if (name in local) referencesIn(local[name], out);
        else out.refs.push(name.split('.')[0]);
      }
      return;
    }
    case 'Fn::Join':
    case 'Fn::Select':
    case 'Fn::Split':
    case 'Fn::Base64':
      referencesIn(body, out);
      return;
    default:
      out.opaque = true;
  }
}

/**
 * A KMS key property as a KeyRef.
 * - `Ref` / `Fn::GetAtt` of an `AWS::KMS::Key` (or replica key, or an alias resource) in the template: customer-managed,
 *   because a template can only create customer-managed keys, and alias resources cannot take the reserved
 *   `alias/aws/` prefix.
 * - A literal `alias/aws/...` (or an ARN ending in `:alias/aws/...`): AWS-managed.
 * - Any other literal key id, key ARN or alias (possibly joined with pseudo parameters): customer-managed. An AWS-managed
 *   key is in practice named by its reserved alias; naming one by its key id is possible but rare, and the run-time
 *   adapter (which asks KMS for KeyManager) catches it.
 * - A parameter, an import, a condition or another resource's attribute: unknown (`customerManaged: undefined`).
 */
function keyRef(v: unknown, resources: Readonly<Record<string, CfnResource>>): KeyRef | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const id = renderValue(v);
  if (AWS_MANAGED_ALIAS.test(id)) return { id, customerManaged: false };
  const found = { refs: [] as string[], opaque: false };
  referencesIn(v, found);
  if (found.opaque) return { id, customerManaged: undefined };
  // A literal that is neither a key id, a key ARN nor an alias (`"String"`, a typo) names no key anyone can show.
  if (typeof v === 'string' && !KEY_SHAPE.test(v)) return { id, customerManaged: undefined };
  for (const target of found.refs) {
    if (target.startsWith('AWS::')) continue; // pseudo parameters: partition, region, account
    const type = resources[target]?.Type;
    if (type === 'AWS::KMS::Alias') {
      const alias = str(resources[target].Properties?.AliasName);
      if (alias !== undefined && AWS_MANAGED_ALIAS.test(alias)) return { id, customerManaged: false };
      continue;
    }
    if (type === undefined || !KMS_KEY_TYPES.has(type)) return { id, customerManaged: undefined };
  }
  return { id, customerManaged: true };
}

/**
 * CloudFormation `Tags: [{ Key, Value }]`. Absent tags are an empty record (the template shows there are none); a
 * tag list hidden behind an intrinsic is undefined. Intrinsic values are rendered, so they count as present.
 */
function tagsOf(props: Obj): Record<string, string> | undefined {
  if (props.Tags === undefined) return {};
  const list = arr(props.Tags);
  if (list === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const t of list) {
    const tag = obj(t);
    const key = str(tag?.Key);
    if (tag === undefined || key === undefined) return undefined;
    tags[key] = renderValue(tag.Value);
  }
  return tags;
}

/** A tag value only when it is a literal: a rendered intrinsic must not decide a rule's applicability. */
function literalTag(props: Obj, key: string): string | undefined {
  for (const t of arr(props.Tags) ?? []) {
    const tag = obj(t);
    if (tag?.Key === key) return str(tag.Value);
  }
  return undefined;
}

/** Common facts; `nameProp` is the property holding the AWS name (none for resources without one, e.g. KMS keys). */
function base(id: string, props: Obj, nameProp: string | undefined, opts: FromTemplateOptions) {
  const name = nameProp === undefined ? undefined : str(props[nameProp]);
  const tags = tagsOf(props);
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    ...(tags !== undefined ? { tags } : {}),
  };
}

/**
 * A list property whose entries are rendered. A whole-list intrinsic (a `List<...>` parameter, `Fn::Split`) counts
 * as one unknown entry: CloudFormation rejects the empty list for the properties this is used on, so something is there.
 */
function renderedList(v: unknown): string[] {
  if (v === undefined) return [];
  return (arr(v) ?? [v]).map(renderValue);
}

/**
 * Where an image comes from. A literal or `Fn::Sub` URI is read as text; a URI that CDK joins from a repository
 * (`Fn::Select [4, Fn::Split [":", <repository ARN>]]` before `.dkr.ecr.`, or `<repository>.RepositoryUri`) comes
 * from the account of that repository: one of this template's or app's (imports), so the stack's own account.
 */
function imageSource(v: unknown, resources: Readonly<Record<string, CfnResource>>): ImageSourceFacts {
  const uri = renderValue(v);
  const literal = imageSourceOf(uri);
  if (literal.registryAccount !== undefined) return literal;
  const isRepository = (x: unknown) => {
    const found = { refs: [] as string[], opaque: false };
    referencesIn(x, found);
    return !found.opaque && found.refs.length === 1 && resources[found.refs[0]]?.Type === 'AWS::ECR::Repository';
  };
  // Intrinsics are read raw here (obj() hides them): the shape itself is what CDK writes.
  const fn = (x: unknown, name: string) => (isObj(x) ? arr(x[name]) : undefined);
  const parts = fn(v, 'Fn::Join')?.[1];
  const first = arr(parts)?.[0];
  const select = fn(first, 'Fn::Select');
  const split = fn(select?.[1], 'Fn::Split');
  const second = arr(parts)?.[1];
  const fromRepositoryArn =
    num(select?.[0]) === 4 && split?.[0] === ':' && isRepository(split?.[1]) && str(second)?.startsWith('.dkr.ecr.');
  const getAtt = fn(first, 'Fn::GetAtt');
  const fromRepositoryUri = getAtt?.[1] === 'RepositoryUri' && isRepository(first);
  const subUri = /^\$\{([A-Za-z0-9]+)\.RepositoryUri\}/.exec(uri);
  const fromSub = subUri !== null && resources[subUri[1] ?? '']?.Type === 'AWS::ECR::Repository';
  return fromRepositoryArn || fromRepositoryUri || fromSub
    ? { uri, registryAccount: SELF_ACCOUNT, pin: imagePin(uri) }
    : literal;
}

function modelFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): ModelFacts {
  // A VpcConfig behind a condition may or may not be there: recorded as a VPC of unknown subnets is wrong either
  // way, so it is left out and requireVpc reports it missing (the only safe reading).
  const vpcConfig = obj(props.VpcConfig);
  const containers = [obj(props.PrimaryContainer), ...(arr(props.Containers) ?? []).map(obj)];
  const images = containers.flatMap((c) => (c?.Image !== undefined ? [renderValue(c.Image)] : []));
  // A container list behind an intrinsic shows no image: the image-source rule reports it unknown.
  const imageSources = containers.flatMap((c) => (c?.Image !== undefined ? [imageSource(c.Image, resources)] : []));
  return {
    ...base(id, props, 'ModelName', opts),
    kind: 'Model',
    networkIsolation: flag(props.EnableNetworkIsolation, false),
    ...(vpcConfig
      ? {
          vpc: {
            subnetIds: renderedList(vpcConfig.Subnets),
            securityGroupIds: renderedList(vpcConfig.SecurityGroupIds),
          },
        }
      : {}),
    ...(props.ExecutionRoleArn !== undefined ? { executionRoleArn: renderValue(props.ExecutionRoleArn) } : {}),
    images,
    imageSources,
  };
}

/** Unknown settings (parameters, conditions) stay unknown; the rules say so. */
function dataCaptureFacts(dc: Obj, resources: Readonly<Record<string, CfnResource>>): DataCaptureFacts {
  const options = arr(dc.CaptureOptions);
  const modes = (options ?? []).map((o) => str(obj(o)?.CaptureMode));
  // A mode behind an intrinsic could be either side.
  const modesKnown = options !== undefined && !modes.includes(undefined);
  const captures = (side: 'Input' | 'Output') =>
    modes.includes(side) || modes.includes('InputAndOutput') ? true : modesKnown ? false : undefined;
  const kmsKey = keyRef(dc.KmsKeyId, resources);
  return {
    // SageMaker captures when the block is present and EnableCapture is omitted.
    enabled: flag(dc.EnableCapture, true),
    samplingPercent: num(dc.InitialSamplingPercentage),
    captureInput: captures('Input'),
    captureOutput: captures('Output'),
    ...(kmsKey ? { kmsKey } : {}),
    ...(dc.DestinationS3Uri !== undefined ? { destinationS3Uri: renderValue(dc.DestinationS3Uri) } : {}),
  };
}

function endpointConfigFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): EndpointConfigFacts {
  const kmsKey = keyRef(props.KmsKeyId, resources);
  const dc = obj(props.DataCaptureConfig);
  // A DataCaptureConfig behind a condition may be there, on, with any key or none: every part of it is unknown.
  const hiddenCapture: DataCaptureFacts | undefined = hidden(props.DataCaptureConfig)
    ? {
        enabled: undefined,
        samplingPercent: undefined,
        captureInput: undefined,
        captureOutput: undefined,
        kmsKey: { id: renderValue(props.DataCaptureConfig), customerManaged: undefined },
      }
    : undefined;
  // Shadow variants receive copies of production traffic, so their models process the same data.
  const variants = [...(arr(props.ProductionVariants) ?? []), ...(arr(props.ShadowProductionVariants) ?? [])];
  return {
    ...base(id, props, 'EndpointConfigName', opts),
    kind: 'EndpointConfig',
    ...(kmsKey ? { kmsKey } : {}),
    ...(dc ? { dataCapture: dataCaptureFacts(dc, resources) } : hiddenCapture ? { dataCapture: hiddenCapture } : {}),
    modelNames: variants.flatMap((v) => {
      const m = obj(v)?.ModelName;
      return m !== undefined ? [renderValue(m)] : [];
    }),
  };
}

export const STRATEGIES: readonly RolloutStrategy[] = ['CANARY', 'LINEAR', 'ALL_AT_ONCE'];

/**
 * DeploymentConfig -> what it shows: blue/green with its traffic routing type, or a RollingUpdatePolicy (recorded as
 * ROLLING: the rules, not the adapter, decide whether that is gradual). The same mapping as `from-aws.ts`.
 */
export function deploymentOf(deploymentConfig: unknown): EndpointFacts['deployment'] {
  if (deploymentConfig === undefined) return undefined;
  if (hidden(deploymentConfig)) return { strategy: undefined, rollbackAlarmCount: undefined };
  const dc = obj(deploymentConfig) ?? {};
  const rollback = dc.AutoRollbackConfiguration;
  const alarms = rollback === undefined ? [] : arr(obj(rollback)?.Alarms);
  const rollbackAlarmCount = hidden(rollback) ? undefined : alarms === undefined ? undefined : alarms.length;
  if (dc.BlueGreenUpdatePolicy !== undefined) {
    const routing = obj(dc.BlueGreenUpdatePolicy)?.TrafficRoutingConfiguration;
    const type = str(obj(routing)?.Type) as RolloutStrategy | undefined;
    return { strategy: type !== undefined && STRATEGIES.includes(type) ? type : undefined, rollbackAlarmCount };
  }
  if (dc.RollingUpdatePolicy !== undefined) return { strategy: 'ROLLING', rollbackAlarmCount };
  return undefined;
}

function endpointFacts(id: string, props: Obj, opts: FromTemplateOptions): EndpointFacts {
  const environment = literalTag(props, TAGS.ENVIRONMENT);
  const deployment = deploymentOf(props.DeploymentConfig);
  return {
    ...base(id, props, 'EndpointName', opts),
    kind: 'Endpoint',
    ...(props.EndpointConfigName !== undefined ? { endpointConfigName: renderValue(props.EndpointConfigName) } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(deployment !== undefined ? { deployment } : {}),
  };
}

/** `*` is the only wildcard ECR repository filters know. */
export function wildcardMatches(filter: string, name: string): boolean {
  const pattern = filter
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * The registry scanning configuration of the template: its repository-name filters that scan on push (or, under
 * ENHANCED, continuously), and whether it is ENHANCED. The same reading as `registryScansOnPush` in from-aws.ts:
 * under ENHANCED scanning ECR ignores the repository-level ScanOnPush flag.
 */
interface RegistryScanning {
  readonly enhanced: boolean;
  readonly filters: readonly string[];
}

function registryScanFilters(resources: Readonly<Record<string, CfnResource>>): RegistryScanning {
  const filters: string[] = [];
  let enhanced = false;
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ECR::RegistryScanningConfiguration') continue;
    const isEnhanced = str(r.Properties?.ScanType) === 'ENHANCED';
    enhanced ||= isEnhanced;
    for (const rule of arr(r.Properties?.Rules) ?? []) {
      const freq = str(obj(rule)?.ScanFrequency);
      if (freq !== 'SCAN_ON_PUSH' && !(isEnhanced && freq === 'CONTINUOUS_SCAN')) continue;
      for (const f of arr(obj(rule)?.RepositoryFilters) ?? []) {
        const filter = str(obj(f)?.Filter);
        if (filter !== undefined) filters.push(filter);
      }
    }
  }
  return { enhanced, filters };
}

function repositoryFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  scanning: RegistryScanning,
  opts: FromTemplateOptions,
): RepositoryFacts {
  const name = str(props.RepositoryName);
  // A generated name is unknown here, so only a filter matching every name can be shown to cover it.
  const registryScans = scanning.filters.some((f) => (name !== undefined ? wildcardMatches(f, name) : /^\*+$/.test(f)));
  const enc = obj(props.EncryptionConfiguration);
  const encType = enc?.EncryptionType;
  // Absent configuration means ECR's default AES256; an intrinsic type is unknown.
  const type: RepositoryFacts['encryption']['type'] = hidden(props.EncryptionConfiguration)
    ? undefined
    : enc === undefined || encType === undefined
      ? 'AES256'
      : encType === 'KMS' || encType === 'KMS_DSSE' || encType === 'AES256'
        ? encType
        : undefined;
  let kmsKey = keyRef(enc?.KmsKey, resources);
  // KMS without a key means the AWS-managed aws/ecr key.
  if ((type === 'KMS' || type === 'KMS_DSSE') && kmsKey === undefined) {
    kmsKey = { id: 'alias/aws/ecr', customerManaged: false };
  }
  const policyText = obj(props.LifecyclePolicy)?.LifecyclePolicyText;
  const mutability = props.ImageTagMutability;
  const scanningConfig = props.ImageScanningConfiguration;
  const repoScanOnPush = hidden(scanningConfig) ? undefined : flag(obj(scanningConfig)?.ScanOnPush, false);
  return {
    ...base(id, props, 'RepositoryName', opts),
    kind: 'Repository',
    // IMMUTABLE_WITH_EXCLUSION leaves the excluded tags overwritable, so it does not count as immutable.
    tagImmutable:
      mutability === undefined ? false : typeof mutability === 'string' ? mutability === 'IMMUTABLE' : undefined,
    scanOnPush: registryScans || (scanning.enhanced ? false : repoScanOnPush),
    encryption: { type, ...((type === 'KMS' || type === 'KMS_DSSE') && kmsKey ? { kmsKey } : {}) },
    hasLifecyclePolicy: policyText !== undefined && policyText !== '',
    policyStatements: hidden(props.RepositoryPolicyText)
      ? undefined
      : props.RepositoryPolicyText === undefined
        ? []
        : normalizeStatements(props.RepositoryPolicyText, cfnRenderer(resources)),
  };
}

export const PURPOSES: readonly BucketPurpose[] = ['data-capture', 'artifacts', 'access-logs', 'reports', 'other'];

/**
 * A lifecycle rule bounds the retention of the whole bucket only when it is enabled and filters nothing: no prefix,
 * no tag filters, no object size bounds. A rule for part of the bucket says nothing about the rest.
 */
function wholeBucketRules(props: Obj): Obj[] {
  const rules = arr(obj(props.LifecycleConfiguration)?.Rules) ?? [];
  return rules.flatMap((r) => {
    const rule = obj(r);
    if (rule === undefined || rule.Status !== 'Enabled') return [];
    if (rule.Prefix !== undefined && rule.Prefix !== '') return [];
    const tagFilters = rule.TagFilters;
    if (tagFilters !== undefined && !(Array.isArray(tagFilters) && tagFilters.length === 0)) return [];
    if (rule.ObjectSizeGreaterThan !== undefined || rule.ObjectSizeLessThan !== undefined) return [];
    return [rule];
  });
}

export const minimum = (xs: readonly (number | undefined)[]): number | undefined => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
};

/** Canned ACLs that grant to AllUsers or AuthenticatedUsers. */
const PUBLIC_CANNED_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);

function bucketFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  policy: BucketPolicyFacts,
  logTarget: boolean,
  opts: FromTemplateOptions,
): BucketFacts {
  const purposeTag = literalTag(props, TAGS.PURPOSE) as BucketPurpose | undefined;
  const sseConfig = obj(props.BucketEncryption)?.ServerSideEncryptionConfiguration;
  const sseRule = arr(sseConfig)?.map(obj)[0];
  const sse = obj(sseRule?.ServerSideEncryptionByDefault);
  const rawAlgorithm = sse?.SSEAlgorithm;
  // Since January 2023 S3 encrypts every bucket with SSE-S3 when nothing else is configured; an algorithm (or the
  // whole encryption block) behind an intrinsic is unknown.
  const encryptionHidden =
    hidden(props.BucketEncryption) || hidden(sseConfig) || hidden(sseRule?.ServerSideEncryptionByDefault);
  const type: BucketFacts['encryption']['type'] = encryptionHidden
    ? undefined
    : rawAlgorithm === undefined
      ? 'AES256'
      : rawAlgorithm === 'aws:kms' || rawAlgorithm === 'aws:kms:dsse' || rawAlgorithm === 'AES256'
        ? rawAlgorithm
        : undefined;
  let kmsKey = type === 'aws:kms' || type === 'aws:kms:dsse' ? keyRef(sse?.KMSMasterKeyID, resources) : undefined;
  // SSE-KMS without a key id means the AWS-managed aws/s3 key.
  if ((type === 'aws:kms' || type === 'aws:kms:dsse') && kmsKey === undefined) {
    kmsKey = { id: 'alias/aws/s3', customerManaged: false };
  }
  const pabProp = props.PublicAccessBlockConfiguration;
  const pab = obj(pabProp);
  const pabFlags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].map((k) =>
    flag(pab?.[k], false),
  );
  const publicAccessBlocked = hidden(pabProp)
    ? undefined
    : pab === undefined || pabFlags.includes(false)
      ? false
      : pabFlags.includes(undefined)
        ? undefined
        : true;
  const versioning = props.VersioningConfiguration;
  const status = obj(versioning)?.Status;
  const versioned = hidden(versioning)
    ? undefined
    : versioning === undefined
      ? false
      : typeof status === 'string'
        ? status === 'Enabled'
        : undefined;
  const rules = wholeBucketRules(props);
  const expirationDays = minimum(rules.map((r) => num(r.ExpirationInDays)));
  const noncurrentExpirationDays = minimum(
    rules.flatMap((r) => {
      const nve = obj(r.NoncurrentVersionExpiration);
      // NewerNoncurrentVersions keeps that many noncurrent versions forever, so the rule bounds nothing for them.
      const keepsNewest = (num(nve?.NewerNoncurrentVersions) ?? 0) > 0;
      return [keepsNewest ? undefined : num(nve?.NoncurrentDays), num(r.NoncurrentVersionExpirationInDays)];
    }),
  );
  return {
    ...base(id, props, 'BucketName', opts),
    kind: 'Bucket',
    purpose: purposeTag !== undefined && PURPOSES.includes(purposeTag) ? purposeTag : 'other',
    encryption: { type, ...(kmsKey ? { kmsKey } : {}) },
    versioned,
    publicAcl:
      props.AccessControl === undefined
        ? false
        : typeof props.AccessControl === 'string'
          ? PUBLIC_CANNED_ACLS.has(props.AccessControl)
          : undefined,
    policyStatements: policy.statements,
    ...(logTarget ? { logTarget } : {}),
    publicAccessBlocked,
    accessLogging: hidden(props.LoggingConfiguration) ? undefined : props.LoggingConfiguration !== undefined,
    tlsOnly: policy.tlsOnly,
    ...(hidden(props.LifecycleConfiguration) ? { lifecycleUnknown: true } : {}),
    ...(expirationDays !== undefined ? { expirationDays } : {}),
    ...(noncurrentExpirationDays !== undefined ? { noncurrentExpirationDays } : {}),
  };
}

/**
 * Renders a policy document value for `normalizeStatements`: references to resources and pseudo parameters are
 * known (they name one thing), a parameter, a condition, an import or a lookup is opaque.
 */
function cfnRenderer(resources: Readonly<Record<string, CfnResource>>): ValueRenderer {
  return (v) => {
    const found = { refs: [] as string[], opaque: false };
    referencesIn(v, found);
    const opaque = found.opaque || found.refs.some((r) => !r.startsWith('AWS::') && resources[r] === undefined);
    return { text: renderValue(v), opaque };
  };
}

/**
 * The bucket a bucket policy is for: a `Ref`, or a `Fn::Sub` / `Fn::Join` naming one bucket of the template, or a
 * literal bucket name. Undefined when the template cannot tell (a parameter, another template's bucket).
 */
function policyBucket(bucket: unknown, resources: Readonly<Record<string, CfnResource>>, byName: Map<string, string>) {
  // The bucket's name, literal or written the same way (`Fn::Sub: ${AppName}-${AWS::Region}`) as its BucketName.
  const named = byName.get(renderValue(bucket));
  if (named !== undefined) return named;
  if (typeof bucket === 'string') return undefined;
  const found = { refs: [] as string[], opaque: false };
  referencesIn(bucket, found);
  const buckets = [...new Set(found.refs.filter((r) => resources[r]?.Type === 'AWS::S3::Bucket'))];
  if (found.opaque || buckets.length !== 1) return undefined;
  // A name built around the bucket (`${Bucket}-logs`) is another bucket: only the bare reference counts.
  return renderValue(bucket) === `\${${buckets[0]}}` ? buckets[0] : undefined;
}

/** A bucket's policy as the template shows it: its statements (empty: no policy) and the TLS-only verdict. */
interface BucketPolicyFacts {
  readonly statements: PolicyStatementFacts[] | undefined;
  readonly tlsOnly: boolean | undefined;
}

/** Bucket logical ids by their BucketName as rendered (a literal, or a `Fn::Sub` written the same way). */
function bucketsByName(resources: Readonly<Record<string, CfnResource>>): Map<string, string> {
  const byName = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    const name = isObj(r) ? obj(r.Properties)?.BucketName : undefined;
    if (isObj(r) && r.Type === 'AWS::S3::Bucket' && name !== undefined) byName.set(renderValue(name), id);
  }
  return byName;
}

/**
 * The policy of each bucket (by logical id): its statements and TLS-only verdict when the template shows the
 * bucket's policy (or its absence); unknown when a policy of the template targets a bucket it cannot identify (it
 * might be this one).
 */
function bucketPolicies(
  resources: Readonly<Record<string, CfnResource>>,
  byName: Map<string, string>,
): (id: string) => BucketPolicyFacts {
  const render = cfnRenderer(resources);
  const statements = new Map<string, PolicyStatementFacts[] | undefined>();
  let unidentified = false;
  for (const r of Object.values(resources)) {
    if (!isObj(r) || r.Type !== 'AWS::S3::BucketPolicy') continue;
    const target = policyBucket(r.Properties?.Bucket, resources, byName);
    if (target === undefined) {
      unidentified = true;
      continue;
    }
    const doc = normalizeStatements(r.Properties?.PolicyDocument, render);
    const before = statements.get(target);
    statements.set(
      target,
      doc === undefined || (statements.has(target) && before === undefined) ? undefined : [...(before ?? []), ...doc],
    );
  }
  return (id) => {
    const name = resources[id]?.Properties?.BucketName;
    const names = [`\${${id}}`, ...(name !== undefined ? [renderValue(name)] : [])];
    if (!statements.has(id))
      return unidentified ? { statements: undefined, tlsOnly: undefined } : { statements: [], tlsOnly: false };
    const own = statements.get(id);
    const verdict = enforcesTls(own, names);
    // Another policy that might be this bucket's could add statements: the list is then not the whole policy.
    return {
      statements: unidentified ? undefined : own,
      tlsOnly: verdict === false && unidentified ? undefined : verdict,
    };
  };
}

function tagValue(props: Obj, key: string): string | undefined {
  return literalTag(props, key);
}

function keyFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): KeyFacts {
  const purpose = tagValue(props, TAGS.PURPOSE);
  return {
    ...base(id, props, undefined, opts),
    kind: 'Key',
    ...(purpose !== undefined ? { purpose } : {}),
    policyStatements: hidden(props.KeyPolicy)
      ? undefined
      : normalizeStatements(props.KeyPolicy ?? {}, cfnRenderer(resources)),
    rotationEnabled: flag(props.EnableKeyRotation, false),
    keySpec: props.KeySpec === undefined ? 'SYMMETRIC_DEFAULT' : str(props.KeySpec),
  };
}

/**
 * Buckets that receive another bucket's server access logs: the target of some bucket's
 * LoggingConfiguration.DestinationBucketName (a `Ref`, or the same rendering as its BucketName).
 */
function logTargets(resources: Readonly<Record<string, CfnResource>>, byName: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [id, r] of Object.entries(resources)) {
    if (!isObj(r) || r.Type !== 'AWS::S3::Bucket') continue;
    const destination = obj(obj(r.Properties)?.LoggingConfiguration)?.DestinationBucketName;
    if (destination === undefined) continue;
    const target = refTarget(destination) ?? byName.get(renderValue(destination));
    if (target !== undefined && target !== id && resources[target]?.Type === 'AWS::S3::Bucket') out.add(target);
  }
  return out;
}

function roleFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): RoleFacts {
  const doc = props.AssumeRolePolicyDocument;
  return {
    ...base(id, props, 'RoleName', opts),
    kind: 'Role',
    trustStatements: hidden(doc) ? undefined : normalizeStatements(doc, cfnRenderer(resources)),
  };
}

/**
 * The account of an ARN-valued property: `SELF` for a resource of the template (or the AWS::AccountId pseudo
 * parameter), the literal account of an ARN, undefined otherwise (a parameter, an import, a condition).
 */
function accountOf(v: unknown, resources: Readonly<Record<string, CfnResource>>): string | undefined {
  const found = { refs: [] as string[], opaque: false };
  referencesIn(v, found);
  if (found.opaque) return undefined;
  const text = renderValue(v);
  const target = refTarget(v);
  if (target !== undefined) return resources[target] !== undefined ? SELF_ACCOUNT : undefined;
  const parts = arnParts(text);
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const account = parts[4] ?? '';
  if (account === '${AWS::AccountId}') return SELF_ACCOUNT;
  if (/^\d{12}$/.test(account)) return account;
  // A resource of the template whose attribute is the account (`${Role.Arn}`) is this account too.
  return undefined;
}

/**
 * What an event rule's pattern matches among S3 events, and which buckets' (by purpose; `captured`: the logical ids
 * of the buckets an endpoint config of the template captures to).
 */
function eventRuleFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  byName: Map<string, string>,
  captured: ReadonlySet<string>,
  opts: FromTemplateOptions,
): EventRuleFacts {
  const { matchesS3, buckets } = s3PatternMatch(props.EventPattern);
  const purposeOf = (name: unknown): BucketPurpose | 'unknown' => {
    const target = byName.get(renderValue(name)) ?? refTarget(name);
    const bucket = target !== undefined ? resources[target] : undefined;
    if (bucket?.Type !== 'AWS::S3::Bucket') return 'unknown';
    if (captured.has(target!)) return 'data-capture';
    const tag = literalTag(obj(bucket.Properties) ?? {}, TAGS.PURPOSE) as BucketPurpose | undefined;
    return tag !== undefined && PURPOSES.includes(tag) ? tag : 'other';
  };
  const bucketPurposes: EventRuleFacts['bucketPurposes'] =
    buckets === 'any'
      ? 'any'
      : buckets.map((n) => (typeof n === 'string' || refTarget(n) !== undefined ? purposeOf(n) : 'unknown'));
  const targetsProp = props.Targets;
  const targets: EventTargetFacts[] | undefined =
    targetsProp === undefined
      ? []
      : arr(targetsProp)?.every((t) => obj(t) !== undefined)
        ? (arr(targetsProp) ?? []).map((t) => ({
            arn: renderValue(obj(t)?.Arn),
            account: accountOf(obj(t)?.Arn, resources),
          }))
        : undefined;
  return {
    ...base(id, props, 'Name', opts),
    kind: 'EventRule',
    matchesS3,
    bucketPurposes,
    targets,
  };
}

function buildProjectFacts(id: string, props: Obj, opts: FromTemplateOptions): BuildProjectFacts {
  const envProp = props.Environment;
  const env = obj(envProp);
  const varsProp = env?.EnvironmentVariables;
  const list = varsProp === undefined ? [] : arr(varsProp);
  const entries = list?.map(obj);
  return {
    ...base(id, props, 'Name', opts),
    kind: 'BuildProject',
    privilegedMode: env === undefined ? undefined : flag(env.PrivilegedMode, false),
    plaintextVariables:
      env === undefined || entries === undefined || entries.includes(undefined)
        ? undefined
        : entries.flatMap((e) => {
            // A type behind an intrinsic may be PLAINTEXT: judged as if it were.
            const type = e?.Type;
            if (type !== undefined && typeof type === 'string' && type !== 'PLAINTEXT') return [];
            return [{ name: renderValue(e?.Name), value: renderValue(e?.Value) }];
          }),
  };
}

/** Managed policies and `AWS::IAM::Policy`: one document each. Roles: their inline policies, as one document. */
function identityPolicyFacts(
  id: string,
  resource: CfnResource,
  resources: Readonly<Record<string, CfnResource>>,
  opts: FromTemplateOptions,
): IdentityPolicyFacts | undefined {
  const props = obj(resource.Properties) ?? {};
  const render = cfnRenderer(resources);
  const attached = (v: unknown) => (arr(v) ?? []).map((r) => refTarget(r) ?? renderValue(r));
  const region = opts.region !== undefined ? { region: opts.region } : {};
  if (resource.Type === 'AWS::IAM::Role') {
    const inline = props.Policies;
    if (inline === undefined) return undefined;
    const docs = hidden(inline)
      ? [undefined]
      : (arr(inline) ?? []).map((p) => normalizeStatements(obj(p)?.PolicyDocument, render));
    return {
      id,
      ...region,
      kind: 'IdentityPolicy',
      attachedTo: [id],
      statements: docs.includes(undefined) ? undefined : docs.flatMap((d) => d ?? []),
    };
  }
  const name = str(props.ManagedPolicyName) ?? str(props.PolicyName);
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    ...region,
    kind: 'IdentityPolicy',
    attachedTo: attached(props.Roles),
    statements: normalizeStatements(props.PolicyDocument, render),
  };
}

/** Facts for every SageMaker model, endpoint config and endpoint, ECR repository and S3 bucket in the template. */
export function factsFromTemplate(template: CfnTemplate, opts: FromTemplateOptions = {}): ResourceFacts[] {
  if (template.Resources !== undefined && !isObj(template.Resources)) {
    throw new TypeError(
      `Resources must be an object of logical id -> resource, got ${Array.isArray(template.Resources) ? 'a list' : typeof template.Resources}`,
    );
  }
  const local = isObj(template.Resources) ? (template.Resources as Readonly<Record<string, CfnResource>>) : {};
  // Imported resources join the map under keys no logical id can have, so references resolve across stacks.
  const imported = Object.fromEntries(Object.entries(opts.imports ?? {}).map(([name, r]) => [importKey(name), r]));
  const resources: Readonly<Record<string, CfnResource>> = { ...imported, ...local };
  const byName = bucketsByName(resources);
  const policies = bucketPolicies(resources, byName);
  const targets = logTargets(resources, byName);
  const scanFilters = registryScanFilters(resources);
  const out: ResourceFacts[] = [];
  const eventRules: [string, Obj][] = [];
  for (const [id, resource] of Object.entries(local)) {
    if (!isObj(resource)) continue;
    // Properties behind a condition (`Fn::If` on the whole block): every property is unknown, none is absent.
    const props = hidden(resource.Properties) ? HIDDEN_PROPERTIES : (obj(resource.Properties) ?? {});
    switch (resource.Type) {
      case 'AWS::SageMaker::Model':
        out.push(modelFacts(id, props, resources, opts));
        break;
      case 'AWS::SageMaker::EndpointConfig':
        out.push(endpointConfigFacts(id, props, resources, opts));
        break;
      case 'AWS::SageMaker::Endpoint':
        out.push(endpointFacts(id, props, opts));
        break;
      case 'AWS::ECR::Repository':
        out.push(repositoryFacts(id, props, resources, scanFilters, opts));
        break;
      case 'AWS::S3::Bucket':
        out.push(bucketFacts(id, props, resources, policies(id), targets.has(id), opts));
        break;
      case 'AWS::KMS::Key':
        out.push(keyFacts(id, props, resources, opts));
        break;
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::Policy': {
        const facts = identityPolicyFacts(id, resource, resources, opts);
        if (facts) out.push(facts);
        break;
      }
      case 'AWS::IAM::Role': {
        out.push(roleFacts(id, props, resources, opts));
        const facts = identityPolicyFacts(id, resource, resources, opts);
        if (facts) out.push(facts);
        break;
      }
      case 'AWS::Events::Rule':
        // Judged once the buckets endpoints capture to are known (below).
        eventRules.push([id, props]);
        break;
      case 'AWS::CodeBuild::Project':
        out.push(buildProjectFacts(id, props, opts));
        break;
      default:
        break;
    }
  }
  const judged = withCaptureDestinations(out);
  // A bucket an endpoint config captures to holds captured data, tagged or not (as in the Terraform adapter).
  const captured = new Set(judged.flatMap((f) => (f.kind === 'Bucket' && f.captureDestination ? [f.id] : [])));
  for (const [id, props] of eventRules) judged.push(eventRuleFacts(id, props, resources, byName, captured, opts));
  return judged;
}

/**
 * The same facts keyed by logical id, for callers (the nag pack) that visit one resource at a time. A role has two
 * facts: its trust policy (Role) and its inline policies (IdentityPolicy).
 */
export function factsByLogicalId(template: CfnTemplate, opts: FromTemplateOptions = {}): Map<string, ResourceFacts[]> {
  const out = new Map<string, ResourceFacts[]>();
  for (const f of factsFromTemplate(template, opts)) {
    const same = out.get(f.id);
    if (same === undefined) out.set(f.id, [f]);
    else same.push(f);
  }
  return out;
}
