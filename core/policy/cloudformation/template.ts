/**
 * The CloudFormation adapter's input: a synthesized template, minimally typed, and the options it is read with.
 */

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
export const importKey = (name: string) => `Fn::ImportValue:${name}`;
