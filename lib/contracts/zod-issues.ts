/**
 * Zod issues in the config loader's words: the field, what is allowed and the value received. zod keeps no input
 * on its issues, so the value is looked up in the parsed input by the issue's path.
 */
import * as z from 'zod';

/** The value at `path` in `input`, as JSON (`nothing` when absent). */
export function receivedAt(input: unknown, path: readonly PropertyKey[]): string {
  let at: unknown = input;
  for (const p of path) at = (at as Record<PropertyKey, unknown> | null | undefined)?.[p];
  return at === undefined ? 'nothing' : (JSON.stringify(at) ?? String(at));
}

/** `must be a string, got 7` for a wrong type; the schema's own message (which names the value) otherwise. */
export function issueRule(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code !== 'invalid_type') return issue.message;
  const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
  return `must be ${article} ${issue.expected}, got ${receivedAt(input, issue.path)}`;
}

/** `Records[0].s3.object.key`: a path as JavaScript spells it. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
