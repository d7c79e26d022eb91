import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { reasonProblem } from './acknowledgement-policy';
import { CONTROL_FRAMEWORK_PACKS, type PackName } from './pack-names';

// Constructs name packs through this module; the one definition is in pack-names.ts.
export type { PackName } from './pack-names';

export interface Acknowledgement {
  /** The pack that reports the finding. */
  readonly pack: PackName;
  /**
   * The exact finding id, one finding at a time: `AwsSolutions-IAM5[Resource::*]`, never a bare prefix such as
   * `AwsSolutions-IAM5` (that acknowledges nothing for findings with a bracketed suffix).
   */
  readonly id: string;
  /** Why this is accepted: a security reviewer reads this in the report. */
  readonly reason: string;
}

/**
 * Acknowledges one finding on one construct (and its children), with a reason.
 *
 * The id is written namespaced, `<pack>::<finding>`. cdk-nag then still reports the finding, and CDK's own
 * validation step moves it into `suppressedViolations` of `cdk.out/validation-report.json` together with the
 * reason and the place it was acknowledged — so the reviewer's report keeps every accepted finding. (An
 * un-namespaced id would make cdk-nag drop the finding before CDK sees it, and the report would lose it.)
 */
export function acknowledge(scope: IConstruct, ack: Acknowledgement): void {
  const problem = reasonProblem(ack.reason);
  if (problem) throw new Error(`acknowledgement of ${ack.pack}::${ack.id} at ${scope.node.path}: ${problem}`);
  if (/^[A-Za-z0-9.]+-[A-Za-z0-9]+$/.test(ack.id) && BRACKETED_RULES.has(ack.id)) {
    throw new Error(
      `acknowledgement ${ack.id} at ${scope.node.path} is a bare prefix of a rule whose findings carry a [suffix]; acknowledge each finding, e.g. ${ack.id}[Resource::*]`,
    );
  }
  Validations.of(scope).acknowledge({ id: `${ack.pack}::${ack.id}`, reason: ack.reason });
}

export function acknowledgeAll(scope: IConstruct, acks: readonly Acknowledgement[]): void {
  for (const a of acks) acknowledge(scope, a);
}

/** Rules that report one finding per offending value, as `Rule[Finding]`. */
const BRACKETED_RULES = new Set(['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'Serverless-LambdaDefaultMemorySize']);

/**
 * A resource ARN as cdk-nag writes it inside a finding id (`AwsSolutions-IAM5[Resource::<this>]`): literals as they
 * are, `{ Ref: X }` as `<X>`, `{ Fn::GetAtt: [X, Attr] }` as `<X.Attr>`. Lets an acknowledgement name exactly the
 * finding an ARN in a policy statement produces, computed from the same ARN.
 */
export function findingResource(stack: Stack, arn: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return `<${o.Ref}>`;
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = o['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map(render).join(join[0] as string);
    throw new Error(`cannot render ${JSON.stringify(v)} as a cdk-nag finding id`);
  };
  return render(stack.resolve(arn));
}

/** An acknowledgement bound to the construct whose finding it accepts: what a constructor gathers as it builds. */
export interface ScopedAcknowledgement extends Acknowledgement {
  readonly scope: IConstruct;
}

/** Applies what a constructor gathered, in one call at its end. */
export function applyAcknowledgements(acks: readonly ScopedAcknowledgement[]): void {
  for (const { scope, ...ack } of acks) acknowledge(scope, ack);
}

/** `AwsSolutions-IAM5[Resource::<resource>]` on one policy: one wildcard resource, with why it is needed. */
export function wildcardResource(policy: IConstruct, resource: string, reason: string): ScopedAcknowledgement {
  return { scope: policy, pack: 'AwsSolutions', id: `AwsSolutions-IAM5[Resource::${resource}]`, reason };
}

/** The packs that want every Lambda function inside a VPC. */
export const LAMBDA_INSIDE_VPC_PACKS: readonly PackName[] = CONTROL_FRAMEWORK_PACKS;

/** `<pack>-LambdaInsideVPC` of every pack that reports it, for a function that runs outside a VPC and why. */
export function lambdaOutsideVpc(fn: IConstruct, reason: string): ScopedAcknowledgement[] {
  return LAMBDA_INSIDE_VPC_PACKS.map((pack) => ({ scope: fn, pack, id: `${pack}-LambdaInsideVPC`, reason }));
}
