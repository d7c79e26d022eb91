/** `npm run policy:terraform -- plan.json`: the catalogue's rules over a Terraform plan, as a pipeline step. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'terraform', 'fixtures');
/** The line of `resource "aws_sagemaker_endpoint" "this"` in the module. */
const ENDPOINT_LINE =
  readFileSync(join(ROOT, 'terraform/modules/mlops-model-environment/sagemaker.tf'), 'utf8')
    .split('\n')
    .findIndex((l) => l.startsWith('resource "aws_sagemaker_endpoint" "this"')) + 1;

function runCli(args: string[]) {
  const r = spawnSync('npx', ['tsx', 'scripts/policy-terraform.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/policy-terraform.ts', () => {
  test('exits 0 on a compliant plan, prints a summary and writes SARIF and Markdown', () => {
    // GIVEN the compliant plan of the module
    const out = mkdtempSync(join(tmpdir(), 'tf-policy-'));
    // WHEN
    const r = runCli([join(FIXTURES, 'plan-compliant.json'), '--out', out]);
    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // 10 resources, the execution role's trust policy (MLOPS-IAM-2) and the capture-event rule (MLOPS-EVENTS-1)
    expect(r.stdout).toContain('Judged 12 resources');
    expect(r.stdout).toMatch(/ok {3}aws_cloudwatch_event_rule\.capture_object_created \(EventRule\): 1 compliant/);
    expect(r.stdout).toMatch(
      /ok {3}module\.environment\.aws_sagemaker_model\.this \(Model\): 4 compliant, 0 violations/,
    );
    expect(r.stdout).toContain('PASS: 0 open, 0 acknowledged findings across 1 packs');
    const sarif = JSON.parse(readFileSync(join(out, 'terraform-policy.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([]);
    expect(existsSync(join(out, 'terraform-policy.md'))).toBe(true);
  });

  test('fails (exit 1) on a violation and reports it in every output with the resource address', () => {
    // GIVEN a production endpoint that shifts all traffic at once
    const out = mkdtempSync(join(tmpdir(), 'tf-policy-'));
    // WHEN
    const r = runCli([join(FIXTURES, 'plan-all-at-once.json'), '--out', out, '--root', 'test/terraform/parity']);
    // THEN
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL module\.environment\.aws_sagemaker_endpoint\.this \(Endpoint\): 3 compliant, 1 violations/,
    );
    expect(r.stdout).toContain(
      'MLOPS-SM-4 [MEDIUM] production endpoint (environment production): strategy is ALL_AT_ONCE',
    );
    expect(r.stdout).toContain('FAIL: 1 open, 0 acknowledged findings across 1 packs (1 failed)');
    const sarif = JSON.parse(readFileSync(join(out, 'terraform-policy.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['MLOPS-SM-4']);
    expect(sarif.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName).toBe(
      'module.environment.aws_sagemaker_endpoint.this',
    );
    // AND the alert sits at the resource's block in the module, not at cdk.json:1
    const physical = sarif.runs[0].results[0].locations[0].physicalLocation;
    expect(physical.artifactLocation.uri).toBe('terraform/modules/mlops-model-environment/sagemaker.tf');
    expect(physical.region.startLine).toBe(ENDPOINT_LINE);
    expect(readFileSync(join(out, 'terraform-policy.md'), 'utf8')).toContain('MLOPS-SM-4');
  });

  test('judges against the policy of the config given with --config', () => {
    // GIVEN a config whose policy lets capture sample up to 60%
    const doc = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context['mlops:defaultConfig'];
    doc.compliance.maxCaptureSamplingPercent = 60;
    const file = join(mkdtempSync(join(tmpdir(), 'tf-policy-')), 'config.json');
    writeFileSync(file, JSON.stringify(doc));
    // WHEN the oversampled (50%) plan is judged with it, and without it
    const relaxed = runCli([join(FIXTURES, 'plan-oversampled.json'), '--config', file, '--out', join(file, '..')]);
    const strict = runCli([join(FIXTURES, 'plan-oversampled.json'), '--out', join(file, '..')]);
    // THEN only the default policy (20%) rejects it
    expect(relaxed.status).toBe(0);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('sampling percentage 50 exceeds the maximum 20');
  });

  test.each([
    ['a file that is not a plan', [join(ROOT, 'package.json')], /format_version must be a string/],
    ['a binary plan file', [join(ROOT, 'README.md')], /not JSON .*terraform show -json/],
    ['no plan file', [], /missing <plan\.json>: the plan as JSON: `terraform show -json/],
    ['two plan files', ['a.json', 'b.json'], /unexpected argument b\.json: expected one <plan\.json>/],
    ['an unknown flag', ['plan.json', '--fail-on', 'HIGH'], /unknown option "--fail-on".*known options: --help/],
  ])('rejects %s with exit 2 and a message naming the fix', (_, args, message) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
