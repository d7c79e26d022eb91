/**
 * One way to report a document that does not parse, used by the config loader (synth time) and by the Lambdas'
 * settings and event parsers (run time): every problem at once, each naming the path (a config field, an
 * environment variable, an event field), the value received and what is allowed. Pure: zod's types only.
 */
import type * as z from 'zod';

export interface Problem {
  /** Path such as `models[0].rollout.canaryPercent`, `POLICY_JSON.captureRetentionDays` or `detail.object.key`. */
  readonly path: string;
  /** The value found there (undefined when missing). */
  readonly received: unknown;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** A value as JSON, cut at `max` characters; `nothing` when absent. */
export function show(v: unknown, max = 120): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** `models[0].rollout`: a path as JavaScript spells it. */
export function pathString(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The value at `path`, reading through JSON strings (a policy in POLICY_JSON, UserParameters) as the schemas do. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (typeof cur === 'string') {
      try {
        cur = JSON.parse(cur) as unknown;
      } catch {
        return undefined;
      }
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/**
 * One problem per zod issue; unknown keys one by one (`unknownKey` words the message, e.g. with the keys allowed
 * there); a missing value said as "is required".
 */
export function problemsOf(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  opts: {
    /** Path segments before the issue's own (e.g. the environment variable a JSON document came from). */
    readonly prefix?: readonly PropertyKey[];
    /** The message for an unknown key at `path`. @default 'is not a known key' */
    readonly unknownKey?: (key: string, path: readonly PropertyKey[]) => string;
  } = {},
): Problem[] {
  const prefix = opts.prefix ?? [];
  return issues.flatMap((issue): Problem[] => {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: pathString([...at, key]),
        received: valueAt(input, [...issue.path, key]),
        message: opts.unknownKey?.(key, issue.path) ?? 'is not a known key',
      }));
    }
    const received = valueAt(input, issue.path);
    return [{ path: pathString(at), received, message: issueMessage(issue, received) }];
  });
}

/** A missing value is "required", with the schema's own words when it has some (zod's default says "Invalid input"). */
function issueMessage(issue: z.core.$ZodIssue, received: unknown): string {
  if (issue.code !== 'invalid_type' || received !== undefined || issue.message.startsWith('is required'))
    return issue.message;
  return issue.message.startsWith('Invalid input')
    ? `is required (expected ${issue.expected})`
    : `is required: ${issue.message}`;
}

/** `<what>: N problem(s)` and one line per problem: `  - <path>: <message> (received <value>)`. */
export function describeProblems(what: string, problems: readonly Problem[], opts: { readonly max?: number } = {}) {
  return (
    `${what}: ${problems.length} problem(s)\n` +
    problems.map((p) => `  - ${p.path || '(root)'}: ${p.message} (received ${show(p.received, opts.max)})`).join('\n')
  );
}

/** `must be a string, got 7` for a wrong type; the schema's own message (which names the value) otherwise. */
export function issueRule(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code !== 'invalid_type') return issue.message;
  const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
  return `must be ${article} ${issue.expected}, got ${show(valueAt(input, issue.path), Infinity)}`;
}
