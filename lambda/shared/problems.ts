/**
 * Zod issues as problems, in the config loader's style (lib/config/loader.ts): every problem at once, each naming
 * the path (an environment variable, an event field), the value received and what is allowed.
 */
import type * as z from 'zod';

export interface Problem {
  /** Path such as `POLICY_JSON.captureRetentionDays` or `UserParameters.images[0]`. */
  readonly path: string;
  /** The value found there (undefined when missing). */
  readonly received: unknown;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function pathString(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The value at `path`, reading through JSON strings (a policy in POLICY_JSON, UserParameters) as the schemas do. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
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

/** One problem per issue; unknown keys one by one, with the keys allowed there. */
export function problemsOf(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly PropertyKey[] = []) {
  return issues.flatMap((issue): Problem[] => {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: pathString([...at, key]),
        received: valueAt(input, [...issue.path, key]),
        message: 'is not a known key',
      }));
    }
    const received = valueAt(input, issue.path);
    const message =
      issue.code === 'invalid_type' && received === undefined && !issue.message.startsWith('is required')
        ? `is required: ${issue.message}`
        : issue.message;
    return [{ path: pathString(at), received, message }];
  });
}

/** `<what>: N problem(s)` and one line per problem. */
export function describeProblems(what: string, problems: readonly Problem[]): string {
  return (
    `${what}: ${problems.length} problem(s)\n` +
    problems.map((p) => `  - ${p.path || '(root)'}: ${p.message} (received ${show(p.received)})`).join('\n')
  );
}
