/**
 * Our own rules for GitHub workflows, on top of actionlint: least privilege, SHA pins, no credential leaks.
 * Returns one message per problem (empty: the workflow passes).
 */
import { parse } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  steps?: Step[];
}
export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: unknown;
  jobs?: Record<string, Job>;
}

const SHA_PIN = /^\s*(?:-\s+)?uses:\s+([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+\.\d+\.\d+\s*$/;
const OIDC_ACTION = 'aws-actions/configure-aws-credentials';

export function parseWorkflow(text: string): Workflow {
  return parse(text, { strict: true, uniqueKeys: true }) as Workflow;
}

export function workflowProblems(text: string): string[] {
  const problems: string[] = [];
  const wf = parseWorkflow(text);
  const triggers = typeof wf.on === 'string' ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on ?? {});
  if (triggers.includes('pull_request_target'))
    problems.push('pull_request_target runs fork code with secrets: use pull_request');
  if (!isEmptyObject(wf.permissions))
    problems.push(`top-level permissions must be {} (got ${JSON.stringify(wf.permissions)})`);
  for (const [id, job] of Object.entries(wf.jobs ?? {})) {
    const perms = job.permissions;
    if (perms === undefined) problems.push(`job ${id}: declare its permissions explicitly`);
    if (typeof perms === 'string')
      problems.push(`job ${id}: permissions "${perms}"; list only the scopes the job needs`);
    const usesOidc = (job.steps ?? []).some((s) => s.uses?.startsWith(`${OIDC_ACTION}@`));
    const idToken =
      typeof perms === 'object' && perms !== null ? (perms as Record<string, string>)['id-token'] : undefined;
    if (idToken === 'write' && !usesOidc) problems.push(`job ${id}: id-token: write without an OIDC login step`);
    if (usesOidc && idToken !== 'write') problems.push(`job ${id}: the OIDC login needs id-token: write`);
    for (const step of job.steps ?? []) {
      if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false) {
        problems.push(`job ${id}: checkout must set persist-credentials: false`);
      }
      if (step.with && Object.keys(step.with).some((k) => /aws-(access-key-id|secret-access-key)/.test(k))) {
        problems.push(`job ${id}: stored AWS keys; use OIDC (role-to-assume)`);
      }
    }
  }
  text.split('\n').forEach((line, i) => {
    if (!/^\s*(?:-\s+)?uses:/.test(line) || /uses:\s+\.\//.test(line)) return;
    if (!SHA_PIN.test(line))
      problems.push(`line ${i + 1}: pin the action to a full commit SHA with its version in a comment: ${line.trim()}`);
  });
  return problems;
}

/** action → SHAs it is pinned to, across files: one action should have one pin. */
export function pins(texts: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const m = SHA_PIN.exec(line);
      if (m) out.set(m[1]!, new Set([...(out.get(m[1]!) ?? []), m[2]!]));
    }
  }
  return out;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
