/**
 * Deploys the app's stacks to a local moto_server with the real `cdk` CLI, and reads back what moto created:
 * the recipe the deploy integration test proved, shared by `npm run deploy:local` (scripts/deploy-local.ts) and
 * test/integration/deploy.test.ts so the two can never drift apart.
 *
 * Why the CLI: `@aws-sdk/client-cloudformation` is not a dependency of this repo, and `cdk deploy` also publishes
 * the file assets (templates, bundled Lambda code) to the bootstrap bucket, which a bare CreateStack would not.
 * The few CloudFormation reads needed (DescribeStacks, ListStackResources) go over the query protocol with `fetch`.
 *
 * This file is the recipe; its parts are in scripts/moto/: the template variant, the `cdk` CLI runner, the
 * CloudFormation query reads, the deployment it returns and the security settings read back after it.
 *
 * What moto 5.2.1 cannot do, and how this handles it:
 * - Resource types it does not implement (MOTO_UNSUPPORTED_TYPES): CreateStack does NOT fail; moto logs a warning,
 *   creates nothing and reports CREATE_COMPLETE. A `Ref`/`Fn::GetAtt` to such a resource would then fail the whole
 *   stack ("Fn::GetAtt references undefined resource"), so the deployed template variant replaces those references
 *   with placeholders (`motoVariant`). `deployToMoto` checks that exactly those types were skipped and nothing else:
 *   a "CREATE_COMPLETE" that created less is reported as a failure, never as success.
 * - Two moto bugs in `AWS::KMS::Key` (the variant works around both, so keys are still verified):
 *   Tags: moto hands CloudFormation's `{Key, Value}` tags to its KMS tagger, which expects `{TagKey, TagValue}`.
 *   KeyPolicy: moto stores the JSON object as is, then every KMS call that checks the key policy answers HTTP 500.
 *   The variant renames the tag fields and wraps the policy in `Fn::ToJsonString`.
 * - moto accepts only its own account (123456789012): the environment's account is replaced by it.
 * - Stack updates through change sets fail on moto: `--method=direct` and no bootstrap version rule.
 * - `localhost`, not 127.0.0.1, in AWS_ENDPOINT_URL: moto parses the template S3 URL only then.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Stage } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { MlopsConfig } from '../lib/config/schema';
import { cdk } from './moto/cdk-cli';
import { cfnQuery, xmlMembers } from './moto/cloudformation-query';
import { DeployedResource, MOTO_ACCOUNT, MotoDeployError, MotoDeployment } from './moto/deployment';
import { MOTO_UNSUPPORTED_TYPES, Template, motoVariant } from './moto/template-variant';

export interface MotoDeployOptions {
  /** The running emulator's URL, written with `localhost`. */
  readonly endpoint: string;
  /** A validated config; the environment's account is replaced by moto's. */
  readonly config: MlopsConfig;
  /** The environment to deploy (its PlatformStack and every ModelEndpointStack). */
  readonly environment: string;
  /** CDK context (feature flags) the app is built with. @default - none */
  readonly context?: Record<string, unknown>;
  /** Scratch directory for the cloud assembly and the CLI's HOME. @default - a new temp directory */
  readonly workdir?: string;
  /** Progress lines (one per step, and the CLI's own event lines). @default - none */
  readonly log?: (line: string) => void;
}

/** The config with the environment's account moved to moto's single account (moto accepts no other). */
export function configForMoto(config: MlopsConfig, environment: string): MlopsConfig {
  if (!config.environments.some((e) => e.name === environment))
    throw new MotoDeployError(
      `environment "${environment}" is not in the config; environments there: ${config.environments.map((e) => e.name).join(', ')}`,
    );
  return {
    ...config,
    environments: config.environments.map((e) => (e.name === environment ? { ...e, account: MOTO_ACCOUNT } : e)),
  };
}

/** Synthesizes, bootstraps and deploys one environment to moto, then checks and returns what moto created. */
export async function deployToMoto(opts: MotoDeployOptions): Promise<MotoDeployment> {
  const log = opts.log ?? (() => undefined);
  const timings: Record<string, number> = {};
  const config = configForMoto(opts.config, opts.environment);
  const envConfig = config.environments.find((e) => e.name === opts.environment)!;
  const region = envConfig.region;
  const workdir = opts.workdir ?? mkdtempSync(join(tmpdir(), 'mlops-deploy-'));
  const outdir = join(workdir, 'cdk.out');

  log(`synth: ${config.projectName} environment "${opts.environment}" (account ${MOTO_ACCOUNT}, ${region})`);
  let t = Date.now();
  const app = new App({ outdir, context: opts.context ?? {}, builtinCloudFormationValidation: false });
  const { environments } = buildApp(app, config, {
    policyPacks: false,
    synthesizer: () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const environment = environments.find((e) => e.node.id === opts.environment)!;
  const platformStack = environment.platform;
  const modelStacks = [...environment.modelStacks];
  const stacks = [platformStack, ...modelStacks];
  app.synth();
  timings.synthMs = Date.now() - t;

  const templates = new Map<string, Template>();
  const variantNotes: string[] = [];
  for (const stack of stacks) {
    // Relative to the stack's own assembly: with a pipeline configured, environments are nested stages.
    const file = join(Stage.of(stack)?.outdir ?? outdir, stack.templateFile);
    const original = JSON.parse(readFileSync(file, 'utf8')) as Template;
    templates.set(stack.stackName, original);
    const variant = motoVariant(original);
    writeFileSync(file, JSON.stringify(variant.template, null, 1));
    variantNotes.push(
      `${stack.stackName}: references replaced [${variant.replacedReferences.join('; ')}], KMS keys adapted [${variant.kmsKeysAdapted.join(', ')}]`,
    );
  }

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: workdir,
    AWS_ENDPOINT_URL: opts.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: join(workdir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workdir, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
  log(`bootstrap: aws://${MOTO_ACCOUNT}/${region}`);
  const bootstrap = await cdk(['bootstrap', `aws://${MOTO_ACCOUNT}/${region}`, '--app', outdir], env, workdir);
  timings.bootstrapMs = bootstrap.ms;
  if (bootstrap.code !== 0)
    throw new MotoDeployError(`cdk bootstrap against moto failed (exit ${bootstrap.code}):\n${bootstrap.output}`);

  log(`deploy: ${stacks.map((s) => s.stackName).join(', ')}`);
  t = Date.now();
  const deploy = await cdk(
    [
      'deploy',
      '--app',
      outdir,
      ...stacks.map((s) => s.node.path),
      '--method=direct',
      '--require-approval',
      'never',
      '--progress',
      'events',
    ],
    env,
    workdir,
    90_000 * stacks.length,
    (chunk) => chunk.split('\n').forEach((l) => l.trim() !== '' && log(`  ${l.trimEnd()}`)),
  );
  timings.deployMs = deploy.ms;
  if (deploy.code !== 0)
    throw new MotoDeployError(
      `cdk deploy against moto failed (exit ${deploy.code}). If moto reports "Fn::GetAtt references undefined resource X", ` +
        `X is a type moto skips (add it to MOTO_UNSUPPORTED_TYPES) or a moto bug like the KMS tag one.\n${variantNotes.join('\n')}\n${deploy.output}`,
    );

  const deployed = new Map<string, DeployedResource[]>();
  const skippedTypes = new Map<string, string[]>();
  const problems: string[] = [];
  for (const stack of stacks) {
    const status = /<StackStatus>([A-Z_]+)<\/StackStatus>/.exec(
      await cfnQuery(opts.endpoint, region, 'DescribeStacks', { StackName: stack.stackName }),
    )?.[1];
    if (status !== 'CREATE_COMPLETE' && status !== 'UPDATE_COMPLETE')
      problems.push(`${stack.stackName} is ${status ?? 'not found'}, not CREATE_COMPLETE`);
    const xml = await cfnQuery(opts.endpoint, region, 'ListStackResources', { StackName: stack.stackName });
    const created = xmlMembers(xml)
      .filter((m) => m.LogicalResourceId) // moto lists each skipped resource as an empty entry
      .map((m) => ({
        logicalId: m.LogicalResourceId!,
        type: m.ResourceType ?? '',
        physicalId: m.PhysicalResourceId ?? '',
      }));
    deployed.set(stack.stackName, created);
    // No false success: every resource of the template is created, unless its type is one moto cannot create.
    const ids = new Set(created.map((r) => r.logicalId));
    const missing = Object.entries(templates.get(stack.stackName)!.Resources).filter(([id]) => !ids.has(id));
    const unexpected = missing.filter(([, r]) => !(MOTO_UNSUPPORTED_TYPES as readonly string[]).includes(r.Type));
    if (unexpected.length > 0)
      problems.push(
        `${stack.stackName}: moto reported success but did not create ${unexpected.map(([id, r]) => `${id} (${r.Type})`).join(', ')}`,
      );
    skippedTypes.set(stack.stackName, [...new Set(missing.map(([, r]) => r.Type))].sort());
  }
  if (problems.length > 0) throw new MotoDeployError(`deploy to moto is incomplete:\n  - ${problems.join('\n  - ')}`);
  timings.totalMs = Date.now() - t + timings.synthMs + timings.bootstrapMs;
  return {
    config,
    environment: opts.environment,
    region,
    workdir,
    platformStack,
    modelStacks,
    templates,
    deployed,
    skippedTypes,
    variantNotes,
    timings,
  };
}
