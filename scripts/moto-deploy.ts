/**
 * Deploys the app's stacks to a local moto_server with the real `cdk` CLI, and reads back what moto created:
 * the recipe the deploy integration test proved, shared by `npm run deploy:local` (scripts/deploy-local.ts) and
 * test/integration/deploy.test.ts so the two can never drift apart.
 *
 * Why the CLI: `@aws-sdk/client-cloudformation` is not a dependency of this repo, and `cdk deploy` also publishes
 * the file assets (templates, bundled Lambda code) to the bootstrap bucket, which a bare CreateStack would not.
 * The few CloudFormation reads needed (DescribeStacks, ListStackResources) go over the query protocol with `fetch`.
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
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, DefaultStackSynthesizer, Stack, Stage } from 'aws-cdk-lib';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { buildApp } from '../lib/app';
import { MlopsConfig } from '../lib/config/schema';

const REPO = resolve(__dirname, '..');
const CDK_CLI = join(REPO, 'node_modules', '.bin', 'cdk');
/** moto_server's single account id. */
export const MOTO_ACCOUNT = '123456789012';

/**
 * Types moto 5.2.1's CloudFormation skips (warning, nothing created, stack still CREATE_COMPLETE). What each one
 * means for this proof: bucket/topic policies (TLS-only, service access) are not evaluated; alarms, and so the
 * endpoint's auto-rollback, are never created; auto scaling and the model card are not deployed; Config rules
 * (the compliance checker's) and Model Monitor schedules do not exist; neither do the registry's image replication
 * and its registry policy (test/integration/release-record.test.ts puts them through the ECR API). Each entry was checked against moto 5.2.1's
 * CloudFormation resource registry; only the types present in the templates are expected to be skipped.
 */
export const MOTO_UNSUPPORTED_TYPES = [
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::Config::ConfigRule',
  'AWS::ECR::RegistryPolicy',
  'AWS::ECR::RegistryScanningConfiguration',
  'AWS::ECR::ReplicationConfiguration',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SageMaker::DataQualityJobDefinition',
  'AWS::SageMaker::ModelCard',
  'AWS::SageMaker::MonitoringSchedule',
] as const;

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * The template moto gets: references to resources moto will skip become placeholder strings, and KMS key tags get
 * the field names moto's KMS tagger expects. Returns what was changed so the test can report it.
 */
export function motoVariant(template: Template): {
  template: Template;
  replacedReferences: string[];
  kmsKeysAdapted: string[];
} {
  const out = JSON.parse(JSON.stringify(template)) as Template;
  const skipped = new Set(
    Object.entries(out.Resources)
      .filter(([, r]) => (MOTO_UNSUPPORTED_TYPES as readonly string[]).includes(r.Type))
      .map(([id]) => id),
  );
  const replacedReferences: string[] = [];
  const placeholder = (id: string, attr?: string) => `moto-skipped-${id}${attr ? `-${attr}` : ''}`;
  const walk = (node: unknown, owner: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, owner));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.Ref === 'string' && skipped.has(obj.Ref)) {
      replacedReferences.push(`${owner} -> Ref ${obj.Ref}`);
      return placeholder(obj.Ref);
    }
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt) && skipped.has(String(getAtt[0]))) {
      replacedReferences.push(`${owner} -> GetAtt ${getAtt[0]}.${getAtt[1]}`);
      return placeholder(String(getAtt[0]), String(getAtt[1]));
    }
    const sub = obj['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
    if (typeof subText === 'string' && [...skipped].some((id) => subText.includes(`\${${id}`))) {
      throw new Error(`${owner}: Fn::Sub references a resource moto skips; extend motoVariant to handle it`);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v, owner)]));
  };
  for (const [id, resource] of Object.entries(out.Resources)) {
    if (skipped.has(id)) continue;
    out.Resources[id] = walk(resource, id) as Template['Resources'][string];
  }
  const kmsKeysAdapted: string[] = [];
  for (const [id, resource] of Object.entries(out.Resources)) {
    const props = resource.Properties;
    if (resource.Type !== 'AWS::KMS::Key' || !props) continue;
    if (Array.isArray(props.Tags)) {
      props.Tags = (props.Tags as { Key: string; Value: string }[]).map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
    }
    // Same intrinsics, resolved by moto, then serialized: the policy text is what real KMS would hold.
    if (props.KeyPolicy && typeof props.KeyPolicy === 'object')
      props.KeyPolicy = { 'Fn::ToJsonString': props.KeyPolicy };
    kmsKeysAdapted.push(id);
  }
  return { template: out, replacedReferences, kmsKeysAdapted };
}

export interface CliResult {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs the repo's `cdk` CLI against moto, from a scratch directory so no cdk.json or cdk.context.json is read or written. */
export function cdk(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  // Generous: a bootstrap takes seconds on a quiet machine, but over a minute on two loaded cores.
  timeoutMs = 180_000,
  onOutput: (chunk: string) => void = () => undefined,
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(CDK_CLI, [...args, '--no-notices', '--no-color', '--ci'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString();
      onOutput(d.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      output += `\n(cdk ${args[0]} killed: no answer within ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output, ms: Date.now() - started });
    });
  });
}

/**
 * One CloudFormation query-protocol call. moto does not verify signatures, so the Authorization header only names
 * the service and region it routes by.
 */
export async function cfnQuery(
  endpoint: string,
  region: string,
  action: string,
  params: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: action, Version: '2010-05-15', ...params }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`CloudFormation ${action} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/** `<member>` elements of a query-protocol response as flat records of their leaf elements. */
export function xmlMembers(xml: string): Record<string, string>[] {
  return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) =>
    Object.fromEntries([...(m[1] ?? '').matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((f) => [f[1], f[2]])),
  );
}

export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
}

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

export interface MotoDeployment {
  readonly config: MlopsConfig;
  readonly environment: string;
  readonly region: string;
  readonly workdir: string;
  readonly platformStack: Stack;
  readonly modelStacks: readonly Stack[];
  /** Stack name -> template as synthesized (before the moto variant). */
  readonly templates: ReadonlyMap<string, Template>;
  /** Stack name -> resources moto reports as created. */
  readonly deployed: ReadonlyMap<string, readonly DeployedResource[]>;
  /** Stack name -> resource types present in the template that moto skipped (all in MOTO_UNSUPPORTED_TYPES). */
  readonly skippedTypes: ReadonlyMap<string, readonly string[]>;
  readonly variantNotes: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
}

/** A deploy that failed, or that reported success without creating what it should: never a false success. */
export class MotoDeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoDeployError';
  }
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

/** The physical id of the one resource of `type` (and logical id prefix) moto created in `stack`. */
export function physicalId(
  deployment: Pick<MotoDeployment, 'deployed'>,
  stack: Stack,
  type: string,
  logicalIdPrefix = '',
): string {
  const hits = (deployment.deployed.get(stack.stackName) ?? []).filter(
    (r) => r.type === type && r.logicalId.startsWith(logicalIdPrefix),
  );
  if (hits.length !== 1)
    throw new Error(
      `expected one ${type} (${logicalIdPrefix || 'any id'}) in ${stack.stackName}, found ${hits.length}`,
    );
  const id = hits[0]!.physicalId;
  // moto reports SageMaker resources by ARN; the describe calls take the name.
  return type.startsWith('AWS::SageMaker::') && id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id;
}

/** One security setting read back from the emulator, against what the template asked for. */
export interface SettingCheck {
  readonly resource: string;
  readonly setting: string;
  readonly actual: string;
  readonly ok: boolean;
}

export interface ClientSettings {
  readonly endpoint: string;
  readonly region: string;
  readonly forcePathStyle: true;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
}

/**
 * Reads back, with real SDK clients, the security settings moto keeps: customer-managed keys with rotation, bucket
 * encryption with the right key, immutable ECR tags, endpoint-config storage and capture encryption with separate
 * keys, and the endpoint in service. Settings moto drops are not read (they are listed in skippedTypes and in the
 * deploy test's "known moto gaps").
 */
export async function readSecuritySettings(d: MotoDeployment, client: ClientSettings): Promise<SettingCheck[]> {
  const kms = new KMSClient(client);
  const s3 = new S3Client(client);
  const ecr = new ECRClient(client);
  const sm = new SageMakerClient(client);
  const out: SettingCheck[] = [];
  const check = (resource: string, setting: string, actual: unknown, ok: boolean) =>
    out.push({ resource, setting, actual: String(actual), ok });
  try {
    const prefix = `alias/${d.config.projectName}/${d.environment}/`;
    const keyArns = new Map<string, string>();
    for (const alias of ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).filter((a) =>
      a.AliasName?.startsWith(prefix),
    )) {
      const meta = (await kms.send(new DescribeKeyCommand({ KeyId: alias.TargetKeyId! }))).KeyMetadata!;
      const rotation = (await kms.send(new GetKeyRotationStatusCommand({ KeyId: alias.TargetKeyId! })))
        .KeyRotationEnabled;
      keyArns.set(alias.AliasName!.slice(prefix.length), meta.Arn!);
      check(
        alias.AliasName!,
        'customer managed, enabled',
        `${meta.KeyManager}, ${meta.Enabled}`,
        meta.KeyManager === 'CUSTOMER' && meta.Enabled === true,
      );
      check(alias.AliasName!, 'rotation', rotation, rotation === true);
    }
    if (keyArns.size === 0) check(`${prefix}*`, 'KMS keys exist', 'none found', false);
    for (const r of (d.deployed.get(d.platformStack.stackName) ?? []).filter((x) => x.type === 'AWS::S3::Bucket')) {
      const sse = (await s3.send(new GetBucketEncryptionCommand({ Bucket: r.physicalId })))
        .ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      const accessLogs = r.logicalId.startsWith('AccessLogsBucket');
      const expectedKey = r.logicalId.startsWith('CaptureBucket') ? keyArns.get('data-capture') : keyArns.get('data');
      check(
        `s3://${r.physicalId}`,
        accessLogs ? 'SSE-S3 (log delivery supports only SSE-S3)' : 'SSE-KMS with its customer-managed key',
        `${sse?.SSEAlgorithm ?? 'none'}${sse?.KMSMasterKeyID ? ` ${sse.KMSMasterKeyID}` : ''}`,
        accessLogs
          ? sse?.SSEAlgorithm === 'AES256'
          : sse?.SSEAlgorithm === 'aws:kms' && sse.KMSMasterKeyID === expectedKey,
      );
    }
    for (const r of (d.deployed.get(d.platformStack.stackName) ?? []).filter(
      (x) => x.type === 'AWS::ECR::Repository',
    )) {
      const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [r.physicalId] })))
        .repositories?.[0];
      check(
        `ecr ${r.physicalId}`,
        'immutable tags',
        repo?.imageTagMutability,
        repo?.imageTagMutability === 'IMMUTABLE',
      );
    }
    for (const stack of d.modelStacks) {
      const name = (type: string) => physicalId(d, stack, type);
      const ec = await sm.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: name('AWS::SageMaker::EndpointConfig') }),
      );
      const resource = `endpoint config ${ec.EndpointConfigName}`;
      check(
        resource,
        'storage KMS key (endpoint-storage)',
        ec.KmsKeyId,
        ec.KmsKeyId !== undefined && ec.KmsKeyId === keyArns.get('endpoint-storage'),
      );
      const capture = ec.DataCaptureConfig;
      if (capture?.EnableCapture) {
        check(
          resource,
          'capture KMS key (data-capture, not the storage key)',
          capture.KmsKeyId,
          capture.KmsKeyId === keyArns.get('data-capture') && capture.KmsKeyId !== ec.KmsKeyId,
        );
        check(
          resource,
          'capture sampling %',
          capture.InitialSamplingPercentage,
          (capture.InitialSamplingPercentage ?? 101) <= d.config.compliance.maxCaptureSamplingPercent,
        );
      }
      const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: name('AWS::SageMaker::Endpoint') }));
      check(
        `endpoint ${ep.EndpointName}`,
        'serves the deployed config, in service',
        `${ep.EndpointConfigName}, ${ep.EndpointStatus}`,
        ep.EndpointConfigName === ec.EndpointConfigName && ep.EndpointStatus === 'InService',
      );
    }
  } finally {
    for (const c of [kms, s3, ecr, sm]) c.destroy();
  }
  return out;
}
