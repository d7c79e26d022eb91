/**
 * `npm run bench:compliance`: how efficient the compliance checker is, and what its Lambdas cost to start.
 *
 * 1. Starts a private moto_server, creates N endpoints with their endpoint configs, models and the models' execution
 *    roles (one each, with an inline policy, as ModelEndpoint creates them) (BENCH_ENDPOINTS,
 *    default 500).
 * 2. Scans them at concurrency 1, 8 and 32 and prints resources judged per second, SDK calls per endpoint (counted by
 *    a client middleware) and the checker's own CPU time. moto answers ~120 describe pairs/s whatever the
 *    concurrency, so wall time mostly measures moto: calls per resource and CPU are the checker's own figures.
 * 3. Bundles every lambda/<fn>/index.ts with esbuild (minify, platform node, target node22) and prints the bundle
 *    size and the cold-start init time (module load in a fresh `node` process, median of 5).
 * Writes everything to .bench/compliance.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { build } from 'esbuild';
import { evaluate } from '../core/policy/catalogue';
import { CompliancePolicy } from '../core/policy/context';
import { Collector } from '../lambda/compliance-checker/collect';
import { mapLimit } from '../lambda/shared/clients';
import { createLogger } from '../lambda/shared/logger';
import { startMoto } from '../test/support/moto-server';
import { parseOrExit } from '../lib/cli/args';

const ROOT = resolve(__dirname, '..');
const OUT_DIR = join(ROOT, '.bench');
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 500);
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
/** Replaced by a real moto key in seed(), so DescribeKey succeeds (a bogus ARN would be a scan error). */
let KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`;
const POLICY: CompliancePolicy = {
  allowedRegions: [REGION],
  captureRetentionDays: 30,
  maxCaptureSamplingPercent: 20,
  requiredTags: ['Owner', 'DataClassification'],
  dataClassifications: ['internal'],
  maxFindingSeverity: 'MEDIUM',
  imageScanMaxAgeDays: 7,
  requireVpc: false,
  productionEnvironments: ['production'],
};

interface ScanFigures {
  readonly concurrency: number;
  readonly resources: number;
  readonly findings: number;
  readonly errors: number;
  readonly wallSeconds: number;
  readonly resourcesPerSecond: number;
  readonly sdkCalls: number;
  readonly sdkCallsPerEndpoint: number;
  /** SDK calls per endpoint, by operation. */
  readonly sdkCallsPerEndpointByOperation: Record<string, number>;
  readonly checkerCpuMs: number;
  readonly checkerCpuMsPerResource: number;
}

interface Counter {
  n: number;
  readonly byOperation: Map<string, number>;
}

/** Counts every SDK call (one per operation, retries excluded) with an initialize-step middleware. */
function counted<T extends { middlewareStack: { add: (...a: never[]) => void } }>(client: T, counter: Counter): T {
  (client.middlewareStack as unknown as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      counter.n += 1;
      const op = (context.commandName ?? '?').replace(/Command$/, '');
      counter.byOperation.set(op, (counter.byOperation.get(op) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return client;
}

/** One execution role per model with its inline policy, as the project's ModelEndpoint creates them. */
async function seedRole(iam: IAMClient, name: string): Promise<string> {
  const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'model',
      PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::artifacts/${name}/*` }),
    }),
  );
  return role.Role?.Arn ?? `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

async function seed(sm: SageMakerClient, kms: KMSClient, iam: IAMClient): Promise<void> {
  const t0 = Date.now();
  KEY_ARN = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata?.Arn ?? KEY_ARN;
  let done = 0;
  await mapLimit(
    Array.from({ length: ENDPOINTS }, (_, i) => i),
    16,
    async (i) => {
      const name = `bench-${String(i).padStart(4, '0')}`;
      const tags = [
        { Key: 'Owner', Value: 'bench' },
        { Key: 'DataClassification', Value: 'internal' },
        { Key: 'Environment', Value: i % 2 === 0 ? 'production' : 'staging' },
      ];
      await sm.send(
        new CreateModelCommand({
          ModelName: `${name}-model`,
          ExecutionRoleArn: await seedRole(iam, `${name}-role`),
          PrimaryContainer: { Image: 'public.ecr.aws/bench/model:1' },
          Tags: tags,
        }),
      );
      await sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: `${name}-config`,
          ...(i % 3 === 0 ? {} : { KmsKeyId: KEY_ARN }),
          ProductionVariants: [
            { VariantName: 'main', ModelName: `${name}-model`, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
          ],
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: 10,
            DestinationS3Uri: 's3://capture/x',
            KmsKeyId: KEY_ARN,
            CaptureOptions: [{ CaptureMode: 'Input' }],
          },
          Tags: tags,
        }),
      );
      await sm.send(
        new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-config`, Tags: tags }),
      );
      done += 1;
      if (done % 100 === 0 || done === ENDPOINTS) {
        process.stdout.write(
          `  created ${done}/${ENDPOINTS} endpoints (+ configs, models) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
        );
      }
    },
  );
}

async function scan(endpoint: string, concurrency: number): Promise<ScanFigures> {
  const counter: Counter = { n: 0, byOperation: new Map() };
  const cfg = {
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 3,
  };
  const clients = {
    sagemaker: counted(new SageMakerClient(cfg), counter),
    ecr: counted(new ECRClient(cfg), counter),
    kms: counted(new KMSClient(cfg), counter),
    tagging: counted(new ResourceGroupsTaggingAPIClient(cfg), counter),
    iam: counted(new IAMClient(cfg), counter),
    events: counted(new EventBridgeClient(cfg), counter),
  };
  const logger = createLogger('bench', 'WARN');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const collector = new Collector(clients, logger, {
    concurrency,
    productionEnvironments: POLICY.productionEnvironments,
  });
  const listed = await collector.collectAll(new Set(['Endpoint', 'EndpointConfig', 'Model']));
  // As the scheduled scan: then the models' execution roles (MLOPS-IAM-1, -2), each read once.
  // and the region's event rules (MLOPS-EVENTS-1), judged against the buckets (none here).
  await collector.collectRoles(listed.resources);
  const collected = await collector.collectEventRules([]);
  const findings = evaluate(collected.resources, { policy: POLICY, now: new Date() }, 'run');
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const checkerCpuMs = (cpu.user + cpu.system) / 1000;
  return {
    concurrency,
    resources: collected.resources.length,
    findings: findings.length,
    errors: collected.errors.length,
    wallSeconds: round(wallSeconds),
    resourcesPerSecond: round(collected.resources.length / wallSeconds),
    sdkCalls: counter.n,
    sdkCallsPerEndpoint: round(counter.n / ENDPOINTS),
    sdkCallsPerEndpointByOperation: Object.fromEntries(
      [...counter.byOperation.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([op, n]) => [op, Math.round((n / ENDPOINTS) * 1000) / 1000]),
    ),
    checkerCpuMs: round(checkerCpuMs),
    checkerCpuMsPerResource: round(checkerCpuMs / Math.max(1, collected.resources.length)),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : ((s[Math.floor((s.length - 1) / 2)] as number) + (s[Math.ceil((s.length - 1) / 2)] as number)) / 2;
};

interface BundleFigures {
  readonly fn: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** AWS SDK left out, as NodejsFunction does for Node 18+ runtimes (the runtime provides SDK v3). */
  readonly bytesSdkExternal: number;
  readonly initMsMedian?: number;
  readonly initMsSdkExternalMedian?: number;
  readonly initError?: string;
}

/** Environment a handler needs at cold start (the compliance checker validates its settings then). */
const INIT_ENV: Record<string, string> = {
  POLICY_JSON: JSON.stringify(POLICY),
  REPORT_BUCKET: 'bench-reports',
  REPORT_KMS_KEY_ARN: KEY_ARN,
  ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // drift-detector's cold-start settings (it loads its baseline lazily, so no S3 call happens at init)
  FEATURES: 'amount:numeric,merchant_category:categorical',
  BASELINE_BUCKET: 'bench-baseline',
  BASELINE_KEY: 'baseline.json',
};

function initTimes(file: string, runs = 5): number[] {
  const probe =
    'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const out = execFileSync(process.execPath, ['-e', probe, file], {
      env: { ...process.env, ...INIT_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    times.push(Number(out.toString()));
  }
  return times;
}

async function bundles(): Promise<BundleFigures[]> {
  const dir = join(ROOT, 'lambda');
  const fns = readdirSync(dir).filter(
    (d) => d !== 'shared' && existsSync(join(dir, d, 'index.ts')) && statSync(join(dir, d)).isDirectory(),
  );
  mkdirSync(join(OUT_DIR, 'bundles'), { recursive: true });
  const out: BundleFigures[] = [];
  for (const fn of fns) {
    const entry = join(dir, fn, 'index.ts');
    const full = join(OUT_DIR, 'bundles', `${fn}.js`);
    const ext = join(OUT_DIR, 'bundles', `${fn}.sdk-external.js`);
    const common = {
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node' as const,
      target: 'node22',
      format: 'cjs' as const,
      logLevel: 'silent' as const,
    };
    try {
      await build({ ...common, outfile: full });
      await build({ ...common, outfile: ext, external: ['@aws-sdk/*'] });
    } catch (err) {
      out.push({
        fn,
        bytes: 0,
        gzipBytes: 0,
        bytesSdkExternal: 0,
        initError: `bundle failed: ${(err as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    const bytes = statSync(full).size;
    let figures: BundleFigures = {
      fn,
      bytes,
      gzipBytes: gzipSync(readFileSync(full)).length,
      bytesSdkExternal: statSync(ext).size,
    };
    try {
      figures = {
        ...figures,
        initMsMedian: round(median(initTimes(full))),
        initMsSdkExternalMedian: round(median(initTimes(ext))),
      };
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message;
      const lines = stderr.split('\n').filter((l) => l.length < 400 && /\w*Error\b/.test(l));
      figures = { ...figures, initError: lines[lines.length - 1] ?? stderr.slice(0, 200) };
    }
    out.push(figures);
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`compliance bench: ${ENDPOINTS} endpoints on a private moto_server`);
  const moto = await startMoto();
  const scans: ScanFigures[] = [];
  try {
    const cfg = {
      endpoint: moto.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 3,
    };
    await seed(new SageMakerClient(cfg), new KMSClient(cfg), new IAMClient(cfg));
    for (const c of [1, 8, 32]) {
      const f = await scan(moto.endpoint, c);
      scans.push(f);
      console.log(
        `  concurrency ${String(c).padStart(2)}: ${f.resources} resources in ${f.wallSeconds} s = ${f.resourcesPerSecond} resources/s; ` +
          `${f.sdkCallsPerEndpoint} SDK calls per endpoint (${f.sdkCalls} total); checker CPU ${f.checkerCpuMs} ms ` +
          `(${f.checkerCpuMsPerResource} ms/resource); ${f.findings} findings, ${f.errors} errors`,
      );
      console.log(
        `    per endpoint by operation: ${Object.entries(f.sdkCallsPerEndpointByOperation)
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')}`,
      );
    }
  } finally {
    await moto.stop();
  }
  console.log('lambda bundles (esbuild minify, platform node, target node22):');
  const bundleFigures = await bundles();
  for (const b of bundleFigures) {
    console.log(
      `  ${b.fn}: ${(b.bytes / 1024).toFixed(1)} KiB (${(b.gzipBytes / 1024).toFixed(1)} KiB gzip), ` +
        `${(b.bytesSdkExternal / 1024).toFixed(1)} KiB with @aws-sdk external; ` +
        (b.initError
          ? `init failed: ${b.initError}`
          : `cold init median ${b.initMsMedian} ms (${b.initMsSdkExternalMedian} ms SDK external, local node_modules)`),
    );
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const doc = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    endpoints: ENDPOINTS,
    scans,
    bundles: bundleFigures,
    totalSeconds: round((Date.now() - started) / 1000),
  };
  writeFileSync(join(OUT_DIR, 'compliance.json'), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote .bench/compliance.json (${doc.totalSeconds} s total)`);
}

parseOrExit(
  {
    command: 'npm run bench:compliance --',
    summary:
      'Compliance checker against a private moto_server (BENCH_ENDPOINTS endpoints, default 500) at concurrency 1, 8, 32;\nLambda bundle sizes and cold-start init; writes .bench/compliance.json.',
    options: {},
  },
  process.argv.slice(2),
);
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
