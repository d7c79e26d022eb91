/**
 * The readings every adapter shares: what a setting means, judged the same way whether it comes from a CloudFormation
 * template, a Terraform plan or an AWS API response, so the same resource gets the same facts from each (the parity
 * tests hold them to it). The adapters import this module and never one another.
 *
 * Documents in CloudFormation's shape (PascalCase, as the AWS APIs return them too) are read with the helpers below:
 * a value behind an intrinsic (`{ Ref }`, `{ Fn::X }`) is one the document does not show.
 */
import { BucketPurpose, EndpointFacts, KeyRef, RolloutStrategy } from './facts';

export type Obj = Readonly<Record<string, unknown>>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The intrinsic function name when `v` is a `{ Ref }` / `{ Fn::X }` object. */
export function intrinsicName(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')) ? keys[0] : undefined;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const arr = (v: unknown): readonly unknown[] | undefined => (Array.isArray(v) ? v : undefined);
/** An object that is not an intrinsic. */
export const obj = (v: unknown): Obj | undefined => (isObj(v) && intrinsicName(v) === undefined ? v : undefined);

/** A property whose whole value is an intrinsic (`Fn::If`, a `Ref` to a parameter...): the source does not show it. */
export const hidden = (v: unknown): boolean => intrinsicName(v) !== undefined;

/** `alias/aws/...` names are reserved for AWS-managed keys; nobody else can create them. */
export const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//;

/** The AWS-managed key a service uses when KMS encryption names no key (`aws/s3`, `aws/ecr`). */
export const awsManagedKey = (service: 's3' | 'ecr'): KeyRef => ({
  id: `alias/aws/${service}`,
  customerManaged: false,
});

export const STRATEGIES: readonly RolloutStrategy[] = ['CANARY', 'LINEAR', 'ALL_AT_ONCE'];

/** A blue/green traffic routing type as a strategy; undefined when it is none the rules know. */
export function rolloutStrategy(type: unknown): RolloutStrategy | undefined {
  return typeof type === 'string' && (STRATEGIES as readonly string[]).includes(type)
    ? (type as RolloutStrategy)
    : undefined;
}

/**
 * DeploymentConfig -> what it shows: blue/green with its traffic routing type, or a RollingUpdatePolicy (recorded as
 * ROLLING: the rules, not the adapter, decide whether that is gradual). The template's `DeploymentConfig` and
 * DescribeEndpoint's `LastDeploymentConfig` have the same shape, so both adapters read it here.
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
    return { strategy: rolloutStrategy(str(obj(routing)?.Type)), rollbackAlarmCount };
  }
  if (dc.RollingUpdatePolicy !== undefined) return { strategy: 'ROLLING', rollbackAlarmCount };
  return undefined;
}

export const PURPOSES: readonly BucketPurpose[] = ['data-capture', 'artifacts', 'access-logs', 'reports', 'other'];

/** A bucket's purpose from its purpose tag: a tag that names no known purpose (or none) is `other`. */
export function bucketPurpose(tag: unknown): BucketPurpose {
  return typeof tag === 'string' && (PURPOSES as readonly string[]).includes(tag) ? (tag as BucketPurpose) : 'other';
}

/** The smallest known number; undefined when none is known. */
export const minimum = (xs: readonly (number | undefined)[]): number | undefined => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
};

/**
 * The days after which a lifecycle rule expires noncurrent versions. A rule that keeps the newest noncurrent
 * versions (NewerNoncurrentVersions > 0) keeps those forever, so it bounds nothing.
 */
export function noncurrentDays(days: number | undefined, newerNoncurrentVersions: number | undefined) {
  return (newerNoncurrentVersions ?? 0) > 0 ? undefined : days;
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
 * Registry scanning filters cover a repository: one matches its name. A name the source does not show (a generated
 * one) is covered only by a filter that matches every name.
 */
export function scanFiltersCover(filters: readonly string[], name: string | undefined): boolean {
  return filters.some((f) => (name !== undefined ? wildcardMatches(f, name) : /^\*+$/.test(f)));
}
