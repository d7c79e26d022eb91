/**
 * `npm run deploy:local`: deploys one environment of the config (default: the embedded default, environment
 * `staging`) to a local moto_server, with no AWS account: starts the emulator, bootstraps, deploys the platform
 * and model stacks with the real `cdk` CLI (scripts/moto-deploy.ts: the recipe the deploy integration test runs),
 * reads the security settings back through the AWS APIs, prints a summary and stops the emulator.
 *
 * Exit codes: 0 deployed and every security setting read back as configured; 1 the deploy failed, created less
 * than the templates ask for (beyond the resource types moto cannot create, which are listed), or a setting did not
 * read back as configured; 2 bad arguments or config.
 */
import { CONFIG_OPTION, CommandSpec, OptionSpec, UsageError, runAsMain } from '../lib/cli/args';
import { loadConfigArgument } from '../lib/config/loader';
import { startMoto } from '../test/support/moto-server';
import { featureFlags } from '../test/support/app';
import { deployToMoto } from './moto-deploy';
import { readSecuritySettings } from './moto/security-settings';

export const DEPLOY_LOCAL_COMMAND = {
  command: 'npm run deploy:local --',
  summary:
    'Deploys one environment to a local moto_server (started and stopped here), reads the security settings back\nand prints a summary. Needs moto_server on PATH (pip install "moto[server]==5.2.1").',
  options: {
    config: CONFIG_OPTION,
    environment: {
      type: 'string',
      valueName: '<name>',
      description: 'environment to deploy (default: staging, else the first)',
    },
    quiet: { type: 'boolean', description: 'no progress lines, only the summary' },
  },
  epilogue:
    'exit codes: 0 deployed and every setting read back as configured; 1 deploy failed, incomplete, or a setting\ndiffers; 2 bad arguments or config.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

async function main(values: { config?: string; environment?: string; quiet?: boolean }): Promise<number> {
  const config = loadConfigArgument(values.config);
  const environment =
    values.environment ??
    (config.environments.some((e) => e.name === 'staging') ? 'staging' : config.environments[0]!.name);
  if (!config.environments.some((e) => e.name === environment))
    throw new UsageError(
      `--environment "${environment}" is not in the config; environments there: ${config.environments.map((e) => e.name).join(', ')}`,
    );
  const vpc = config.environments.find((e) => e.name === environment)?.vpc;
  // The emulator starts empty: subnets and security groups the config names by id exist only in the real account.
  if (vpc !== undefined)
    throw new UsageError(
      `environment "${environment}" places its endpoints in a VPC (subnets ${vpc.subnetIds.join(', ')}): moto_server has no such VPC, so the deploy would fail; deploy:local takes an environment without vpc (the default config's staging), or a real account`,
    );
  const started = Date.now();
  const log = (line: string) => {
    if (!values.quiet) process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
  };
  log('starting moto_server');
  const moto = await startMoto();
  log(`moto_server at ${moto.endpoint}`);
  try {
    const deployment = await deployToMoto({
      endpoint: moto.endpoint,
      config,
      environment,
      context: featureFlags(),
      log,
    });
    log('reading back security settings');
    const checks = await readSecuritySettings(deployment, {
      endpoint: moto.endpoint,
      region: deployment.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    });
    const out: string[] = [
      `deploy:local ${config.projectName}/${environment} on moto_server: ${[deployment.platformStack, ...deployment.modelStacks].map((s) => s.stackName).join(', ')}`,
    ];
    for (const [stack, resources] of deployment.deployed)
      out.push(
        `  ${stack}: ${resources.length} resources created; not creatable on moto (still in the template): ${deployment.skippedTypes.get(stack)?.join(', ') || 'none'}`,
      );
    out.push('security settings read back:');
    for (const c of checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.resource}: ${c.setting} = ${c.actual}`);
    const failed = checks.filter((c) => !c.ok).length;
    out.push(
      failed === 0
        ? `PASS: ${checks.length} settings as configured (${((Date.now() - started) / 1000).toFixed(1)} s)`
        : `FAIL: ${failed} of ${checks.length} settings differ from the config`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    log('stopping moto_server');
    await moto.stop();
  }
}

if (require.main === module) {
  runAsMain(DEPLOY_LOCAL_COMMAND, main);
}
