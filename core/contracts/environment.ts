/**
 * Reading a Lambda's environment with zod, in the config loader's error style: every problem at once, each naming
 * the variable, the value received and what is allowed. The field schemas never abort, so one bad variable does not
 * hide the next, and the cross-variable checks still run. Pure: zod only.
 */
import * as z from 'zod';

/** A variable set to '' (an empty CloudFormation parameter) counts as unset. */
export function blankAsUnset(v: unknown): unknown {
  return v === '' ? undefined : v;
}

/** A variable that may be left unset (or blank). */
export const optionalVariable = z.preprocess(blankAsUnset, z.string().optional());

/** A variable that must be set; `hint` says what it holds. */
export function requiredVariable(hint: string) {
  return optionalVariable.transform((v, ctx): string => {
    if (v !== undefined) return v;
    ctx.addIssue({ code: 'custom', continue: true, message: `is required but not set (${hint})` });
    return '';
  });
}

/** An integer variable with a default for unset. */
export function integerVariable(opts: { readonly default: number; readonly min: number }) {
  return optionalVariable.transform((raw, ctx): number => {
    if (raw === undefined) return opts.default;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= opts.min) return n;
    ctx.addIssue({ code: 'custom', continue: true, message: `must be an integer >= ${opts.min}, got "${raw}"` });
    return opts.default;
  });
}

/** One line per problem: `environment variable <NAME>[.<field>] <what is allowed>, got <value>`. */
export function environmentProblems(error: z.ZodError): string[] {
  return error.issues.map((i) =>
    i.path.length === 0
      ? `environment variable ${i.message}`
      : `environment variable ${i.path.map(String).join('.')} ${i.message}`,
  );
}

/** A Lambda's environment does not parse; the message lists every problem. */
export class EnvironmentError extends RangeError {
  constructor(
    readonly component: string,
    readonly problems: readonly string[],
  ) {
    super(
      problems.length === 1
        ? (problems[0] as string)
        : `${component} environment has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'EnvironmentError';
  }
}
