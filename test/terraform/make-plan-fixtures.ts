/**
 * Regenerates the committed plan-JSON fixtures of the parity test with the real terraform binary:
 *   npx tsx test/terraform/make-plan-fixtures.ts   (no options; --help for the usage)
 * Plans test/terraform/parity (the default config's production environment through the module) once per variant
 * against a local moto_server (only STS is called at plan time, for the account id), and writes
 * test/terraform/fixtures/plan-<variant>.json. Jest reads the fixtures, so the parity test needs no terraform.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandSpec, OptionSpec, runCommand } from '../../lib/cli/args';
import { startMoto } from '../support/moto-server';
import { PARITY_VARIANTS } from '../support/terraform-parity-variants';
import { motoProviderOverride, requireTerraform, scratchCopy, terraformOk } from './terraform-cli';

export const FIXTURES_DIR = join(__dirname, 'fixtures');
const ENDPOINT_PLACEHOLDER = 'http://localhost:MOTO_PORT';

export const MAKE_PLAN_FIXTURES_COMMAND = {
  command: 'npx tsx test/terraform/make-plan-fixtures.ts',
  summary:
    'Regenerates test/terraform/fixtures/plan-<variant>.json with the real terraform binary, planning\ntest/terraform/parity against a local moto_server (terraform and moto_server on PATH).',
  options: {},
  epilogue: 'exit codes: 0 fixtures written; 1 terraform or moto_server failed; 2 wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

async function main(): Promise<number> {
  requireTerraform();
  const moto = await startMoto();
  try {
    const { root } = scratchCopy('test/terraform/parity');
    writeFileSync(join(root, 'moto_override.tf'), motoProviderOverride(moto.endpoint, 'eu-west-1'));
    console.log(`terraform init in ${root}`);
    terraformOk(root, ['init', '-backend=false', '-input=false', '-no-color']);
    for (const v of PARITY_VARIANTS) {
      const started = Date.now();
      const vars = Object.entries(v.tfVars).flatMap(([k, val]) => ['-var', `${k}=${val}`]);
      terraformOk(root, ['plan', '-input=false', '-no-color', '-out', `${v.name}.tfplan`, ...vars]);
      const plan = JSON.parse(terraformOk(root, ['show', '-json', `${v.name}.tfplan`])) as Record<string, unknown>;
      // Stable fixtures: no timestamp, no random emulator port.
      delete plan.timestamp;
      const text = JSON.stringify(plan, null, 1).split(moto.endpoint).join(ENDPOINT_PLACEHOLDER);
      const file = join(FIXTURES_DIR, `plan-${v.name}.json`);
      writeFileSync(file, `${text}\n`);
      console.log(`${v.name}: ${v.description} -> ${file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await moto.stop();
  }
  return 0;
}

if (require.main === module) {
  void runCommand(MAKE_PLAN_FIXTURES_COMMAND, process.argv.slice(2), main).then((code) => {
    process.exitCode = code;
  });
}
