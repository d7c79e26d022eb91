/**
 * The CDK Terrain (cdktn) construct synthesizes a stack that calls the Terraform module, and the result passes
 * `terraform validate` with the real binary and the AWS provider from the local mirror.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack, Testing } from 'cdktn';
import {
  MlopsModelEnvironment,
  MlopsModelEnvironmentProps,
  moduleContext,
} from '../../lib/cdktf/mlops-model-environment';
import { OFFLINE_AWS_ENV, requireTerraform, terraform, terraformOk } from '../terraform/terraform-cli';

const PROPS: MlopsModelEnvironmentProps = {
  projectName: 'mlops',
  environment: 'production',
  modelName: 'fraud-xgb',
  imageTag: '1.0.0',
  dataClassification: 'confidential',
  dataCapture: { samplingPercent: 5 },
  rollout: { strategy: 'LINEAR', stepPercent: 20 },
  vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
  tags: { Owner: 'ml-platform', CostCenter: 'ml-0001' },
};

/** A stack with the AWS provider declared by raw config: no prebuilt provider bindings are needed. */
function stackWith(app: App, props: MlopsModelEnvironmentProps): { stack: TerraformStack; env: MlopsModelEnvironment } {
  const stack = new TerraformStack(app, 'model');
  stack.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: '>= 5.0, < 7.0' });
  stack.addOverride('provider.aws', [{ region: 'eu-west-1' }]);
  const env = new MlopsModelEnvironment(stack, 'FraudXgb', props);
  new TerraformOutput(stack, 'endpoint_name', { value: env.endpointName });
  return { stack, env };
}

type Synth = { module: Record<string, Record<string, unknown>>; output: Record<string, { value: string }> };

describe('MlopsModelEnvironment (CDK Terrain)', () => {
  test('passes the props to the module as its variables, leaving unset ones to the module defaults', () => {
    // GIVEN a stack with the construct WHEN synthesized
    const { stack } = stackWith(Testing.app({ context: moduleContext() }), PROPS);
    const json = JSON.parse(Testing.synth(stack)) as Synth;
    // THEN one module call with snake_case variables, and nothing the props did not set
    const [call] = Object.values(json.module);
    expect(call).toMatchObject({
      project_name: 'mlops',
      environment: 'production',
      model_name: 'fraud-xgb',
      image_tag: '1.0.0',
      data_classification: 'confidential',
      data_capture: { sampling_percent: 5 },
      rollout: { strategy: 'LINEAR', step_percent: 20 },
      vpc: { subnet_ids: ['subnet-0123456789abcdef0'], security_group_ids: ['sg-0123456789abcdef0'] },
      tags: { Owner: 'ml-platform', CostCenter: 'ml-0001' },
    });
    expect(call).not.toHaveProperty('network_isolation');
    expect(call).not.toHaveProperty('force_destroy');
    expect(call!.source).toMatch(/mlops-model-environment|assets/);
    expect(Object.values(json.output)[0]!.value).toMatch(/^\$\{module\.\w+\.endpoint_name\}$/);
  });

  describe('synthesized with the real terraform', () => {
    let stackDir: string;

    beforeAll(() => {
      requireTerraform();
      const outdir = mkdtempSync(join(tmpdir(), 'mlops-cdktf-'));
      const app = new App({ outdir, context: moduleContext() });
      stackWith(app, PROPS);
      app.synth();
      stackDir = join(outdir, 'stacks', 'model');
      terraformOk(stackDir, ['init', '-backend=false', '-input=false', '-no-color']);
    });

    test('copies the module into the synthesized stack as an asset', () => {
      const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as Synth;
      const source = String(Object.values(json.module)[0]!.source);
      expect(source).toMatch(/^\.\/assets\//);
      expect(existsSync(join(stackDir, source, 'variables.tf'))).toBe(true);
    });

    test('passes terraform validate', () => {
      expect(terraformOk(stackDir, ['validate', '-no-color'])).toContain('Success! The configuration is valid.');
    });

    test('rejects a mutable image tag at terraform plan with the module message', () => {
      // GIVEN the construct with imageTag "latest" WHEN planned
      const outdir = mkdtempSync(join(tmpdir(), 'mlops-cdktf-'));
      const app = new App({ outdir, context: moduleContext() });
      stackWith(app, { ...PROPS, imageTag: 'latest' });
      app.synth();
      const dir = join(outdir, 'stacks', 'model');
      // cdktf writes a local backend (state beside the stack); plan needs it initialised.
      terraformOk(dir, ['init', '-input=false', '-no-color']);
      const r = terraform(dir, ['plan', '-input=false', '-no-color'], 120_000, OFFLINE_AWS_ENV);
      // THEN the module's validation names the variable and the fix
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/image_tag must be a pinned tag/);
    });
  });
});
