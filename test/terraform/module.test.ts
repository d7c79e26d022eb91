/**
 * The Terraform module with the real terraform binary and the AWS provider from the local filesystem mirror
 * (MLOPS_TF_PROVIDER_MIRROR, default /opt/tf-plugins): fmt, init, validate, and `terraform test` (the module's
 * mocked-provider suites in tests/*.tftest.hcl: plan-time assertions mirroring the policy rules, and
 * expect_failures for bad variables). Fails with what to install when terraform or the provider is missing.
 */
import { join } from 'node:path';
import {
  MODULE_DIR,
  OFFLINE_AWS_ENV,
  ROOT,
  requireTerraform,
  scratchCopy,
  terraform,
  terraformOk,
} from './terraform-cli';

describe('terraform/modules/mlops-model-environment', () => {
  let moduleCopy: string;

  beforeAll(() => {
    requireTerraform();
    // A scratch copy, so .terraform/ and the lock file never land in the working tree.
    moduleCopy = join(scratchCopy('terraform/modules/mlops-model-environment').root);
    terraformOk(moduleCopy, ['init', '-backend=false', '-input=false', '-no-color']);
  });

  test('is formatted (terraform fmt -check), module, tests and example alike', () => {
    // GIVEN the committed HCL WHEN checked THEN nothing needs reformatting
    const r = terraform(MODULE_DIR, ['fmt', '-check', '-recursive', '-no-color']);
    expect({ status: r.status, unformatted: r.stdout.trim() }).toEqual({ status: 0, unformatted: '' });
    const parity = terraform(join(ROOT, 'test', 'terraform', 'parity'), ['fmt', '-check', '-no-color']);
    expect(parity.status).toBe(0);
  });

  test('validates against the AWS provider from the mirror', () => {
    const out = terraformOk(moduleCopy, ['validate', '-no-color']);
    expect(out).toContain('Success! The configuration is valid.');
  });

  test('passes its terraform test suites (mocked provider, command = plan)', () => {
    // WHEN the module's own tests run
    const r = terraform(moduleCopy, ['test', '-no-color']);
    // THEN every run passes: secure defaults, immutable endpoint config names, and each bad variable rejected
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Success! 13 passed, 0 failed\./);
    for (const run of ['secure_defaults', 'config_change_renames_endpoint_config', 'rejects_latest_image_tag']) {
      expect(r.stdout).toContain(`run "${run}"... pass`);
    }
  });

  test('rejects a bad variable with a message naming the field and the fix', () => {
    // GIVEN the example planned with a project name the module refuses
    const { root } = scratchCopy('terraform/modules/mlops-model-environment/examples/basic');
    terraformOk(root, ['init', '-backend=false', '-input=false', '-no-color']);
    const r = terraform(root, ['validate', '-no-color']);
    expect(r.status).toBe(0);
    const plan = terraform(
      root,
      ['plan', '-input=false', '-no-color', '-var', 'project_name=Bad_Name'],
      120_000,
      OFFLINE_AWS_ENV,
    );
    // THEN the plan fails on the variable, saying what is allowed
    expect(plan.status).not.toBe(0);
    expect(plan.stderr).toMatch(/project_name must be 2-32 characters of lowercase letters/);
  });
});
