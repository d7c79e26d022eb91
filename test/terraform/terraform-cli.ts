/**
 * Runs the real `terraform` binary against the AWS provider in the machine's local filesystem mirror, for the
 * Terraform tests and the plan-fixture script. Nothing here downloads anything: the CLI config this writes forbids
 * direct registry installs.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CommandSpec, OptionSpec, runCommand } from '../../lib/cli/args';

export const ROOT = resolve(__dirname, '..', '..');
export const MODULE_DIR = join(ROOT, 'terraform', 'modules', 'mlops-model-environment');

/** Where the AWS provider mirror is; `.ci/run` and the tests read the same variable. */
export const MIRROR_ENV = 'MLOPS_TF_PROVIDER_MIRROR';
export const DEFAULT_MIRROR = '/opt/tf-plugins';

export const TERRAFORM_INSTALL_HINT =
  'terraform was not found on PATH. Install Terraform 1.11 (https://developer.hashicorp.com/terraform/install, or ' +
  '`apt-get install -y terraform` from the HashiCorp apt repository).';

export function mirrorDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[MIRROR_ENV] ?? DEFAULT_MIRROR;
}

/** Fails with what to do when the binary or the provider mirror is missing. */
export function requireTerraform(): void {
  if (spawnSync('terraform', ['version'], { stdio: 'ignore' }).status !== 0) throw new Error(TERRAFORM_INSTALL_HINT);
  const providerDir = join(mirrorDir(), 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(providerDir) || readdirSync(providerDir).length === 0) {
    throw new Error(
      `no hashicorp/aws provider in the filesystem mirror ${mirrorDir()} (looked in ${providerDir}). Set ` +
        `${MIRROR_ENV} to a directory laid out as registry.terraform.io/hashicorp/aws/<version>/<os_arch>/, e.g. ` +
        'made with `terraform providers mirror <dir>` on a machine with internet access.',
    );
  }
}

/** The CLI config text: the mirror for hashicorp/aws, no direct installs from the registry. */
export function cliConfig(mirror = mirrorDir()): string {
  return `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`;
}

/** Writes the CLI config once per process; returns its path. */
let configFile: string | undefined;
export function cliConfigFile(): string {
  if (configFile === undefined) {
    configFile = join(mkdtempSync(join(tmpdir(), 'mlops-tfrc-')), 'terraform.tfrc');
    writeFileSync(configFile, cliConfig());
  }
  return configFile;
}

export interface TerraformResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform in `cwd`, never interactively, with the mirror CLI config and a shared plugin cache. */
export function terraform(
  cwd: string,
  args: readonly string[],
  timeoutMs = 300_000,
  extraEnv: NodeJS.ProcessEnv = {},
): TerraformResult {
  const r = spawnSync('terraform', [...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfigFile(),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      ...extraEnv,
    },
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like `terraform`, but throws with the output when the command fails. */
export function terraformOk(cwd: string, args: readonly string[], timeoutMs?: number): string {
  const r = terraform(cwd, args, timeoutMs);
  if (r.status !== 0) {
    throw new Error(`terraform ${args.join(' ')} failed in ${cwd} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/**
 * Copies the module (without local state or plugins) and a root configuration beside it into a fresh directory,
 * keeping their relative layout, so a test can add override files and state without touching the repository.
 */
export function scratchCopy(rootRelative: string): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-tf-'));
  const skip = (src: string) => !/[\\/](\.terraform|terraform\.tfstate[^\\/]*|\.terraform\.lock\.hcl)$/.test(src);
  cpSync(join(ROOT, 'terraform'), join(dir, 'terraform'), { recursive: true, filter: skip });
  if (!rootRelative.startsWith('terraform/')) {
    cpSync(join(ROOT, rootRelative), join(dir, rootRelative), { recursive: true, filter: skip });
  }
  return { dir, root: join(dir, rootRelative) };
}

/** Fake credentials and no instance metadata: a plan that fails on validation never looks for real ones. */
export const OFFLINE_AWS_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** AWS services the module uses; moto serves them all on one endpoint. */
export const MODULE_SERVICES = ['cloudwatch', 'ecr', 'iam', 'kms', 's3', 'sagemaker', 'sns', 'sts'] as const;

/**
 * A Terraform override file that points the root's `aws` provider at the local emulator with fake credentials
 * and the skip_* flags a non-AWS endpoint needs. Override files merge into the root's own provider block.
 */
export function motoProviderOverride(endpoint: string, region: string): string {
  const endpoints = MODULE_SERVICES.map((s) => `    ${s.padEnd(10)} = ${JSON.stringify(endpoint)}`).join('\n');
  return `provider "aws" {
  region                      = ${JSON.stringify(region)}
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {
${endpoints}
  }
}
`;
}

export const TERRAFORM_CLI_CONFIG_COMMAND = {
  command: 'npx tsx test/terraform/terraform-cli.ts',
  summary:
    'Writes the terraform CLI config of the tests (provider filesystem mirror, no network) and prints its path\n(used by .ci/run as TF_CLI_CONFIG_FILE).',
  positionals: { name: '<cli-config-file>', description: 'where to write the CLI config' },
  options: {},
  epilogue: 'exit codes: 0 written; 1 terraform or the aws provider mirror is missing; 2 wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

/** `npx tsx test/terraform/terraform-cli.ts <file>`: writes the CLI config (used by .ci/run) and prints its path. */
if (require.main === module) {
  void runCommand(TERRAFORM_CLI_CONFIG_COMMAND, process.argv.slice(2), (_values, [file]) => {
    requireTerraform();
    writeFileSync(file!, cliConfig());
    console.log(file);
    return 0;
  }).then((code) => {
    process.exitCode = code;
  });
}
