/**
 * Waits for the ECR scan of one pushed image and judges it with the catalogue rule MLOPS-IMG-1 (no finding above
 * compliance.maxFindingSeverity), the same rule the compliance checker applies at run time:
 *   npx tsx scripts/image-scan-gate.ts --repository <name> --digest sha256:<hex> [--region eu-west-1]
 *     [--config <file>] [--timeout-seconds 1800] [--poll-seconds 15]
 * Exit 0: compliant; 1: findings above the threshold, or the scan failed or did not finish in time; 2: bad usage.
 * Works with basic and enhanced (Inspector) scanning; credentials and endpoint come from the SDK's usual chain.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeImageScanFindingsCommand,
  DescribeImageScanFindingsResponse,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageDetail,
} from '@aws-sdk/client-ecr';
import { compliancePolicy, loadConfig } from '../lib/config/loader';
import { imageFacts } from '../lib/policy/from-aws';
import { imageFindingsWithinThreshold } from '../lib/policy/rules/image';

export interface GateOptions {
  readonly repository: string;
  readonly digest: string;
  /** Config file; the default config embedded in cdk.json when absent. */
  readonly config?: string;
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
}

export interface GateResult {
  readonly compliant: boolean;
  readonly reason: string;
  readonly scanStatus?: string;
}

/** Scan states after which waiting longer changes nothing. */
const DONE = new Set([
  'COMPLETE',
  'ACTIVE',
  'FAILED',
  'UNSUPPORTED_IMAGE',
  'FINDINGS_UNAVAILABLE',
  'SCAN_ELIGIBILITY_EXPIRED',
]);

export async function runGate(
  ecr: ECRClient,
  opts: GateOptions,
  log: (line: string) => void = console.log,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<GateResult> {
  const config = loadConfig({
    node: { tryGetContext: (key: string) => (key === 'config' ? opts.config : cdkJsonContext()[key]) },
  });
  const policy = compliancePolicy(config);
  const imageId = { imageDigest: opts.digest };
  const [repo] =
    (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [opts.repository] }))).repositories ?? [];
  const repositoryArn = repo?.repositoryArn ?? opts.repository;
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  let findings: DescribeImageScanFindingsResponse | undefined;
  let detail: ImageDetail | undefined;
  for (;;) {
    [detail] =
      (await ecr.send(new DescribeImagesCommand({ repositoryName: opts.repository, imageIds: [imageId] })))
        .imageDetails ?? [];
    try {
      findings = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: opts.repository, imageId }));
    } catch (e) {
      if ((e as Error).name !== 'ScanNotFoundException') throw e;
      findings = undefined;
    }
    const status = findings?.imageScanStatus?.status ?? detail?.imageScanStatus?.status;
    log(`image-scan-gate: ${opts.repository}@${opts.digest}: scan ${status ?? 'not started'}`);
    if (status !== undefined && DONE.has(status)) break;
    if (Date.now() >= deadline) {
      return {
        compliant: false,
        reason: `the scan did not finish within ${opts.timeoutSeconds} s (status ${status ?? 'not started'}); check scan on push / enhanced scanning on the repository`,
        ...(status ? { scanStatus: status } : {}),
      };
    }
    await sleep(opts.pollSeconds * 1000);
  }
  if (!detail) throw new Error(`image ${opts.repository}@${opts.digest} not found in ECR`);
  const facts = imageFacts(detail, repositoryArn, findings);
  const result = imageFindingsWithinThreshold.check(facts, { policy, now: new Date() });
  return {
    compliant: result.status === 'COMPLIANT',
    reason: result.reason,
    ...(facts.scan ? { scanStatus: facts.scan.status } : {}),
  };
}

function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

const USAGE =
  'usage: npx tsx scripts/image-scan-gate.ts --repository <name> --digest sha256:<hex> [--region <r>] [--config <file>] [--timeout-seconds 1800] [--poll-seconds 15]';

export function parseArgs(argv: readonly string[]): GateOptions & { region?: string } {
  const opts: Record<string, string> = {};
  const flags = ['--repository', '--digest', '--region', '--config', '--timeout-seconds', '--poll-seconds'];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (!flags.includes(flag!) || !value)
      throw new Error(`unexpected argument ${JSON.stringify(argv[i] ?? flag)}\n${USAGE}`);
    opts[flag!.slice(2)] = value;
  }
  if (!opts.repository) throw new Error(`--repository is required\n${USAGE}`);
  if (!/^sha256:[0-9a-f]{64}$/.test(opts.digest ?? '')) {
    throw new Error(`--digest must be sha256:<64 hex digits>, got ${JSON.stringify(opts.digest)}\n${USAGE}`);
  }
  const seconds = (name: string, fallback: number) => {
    const n = opts[name] === undefined ? fallback : Number(opts[name]);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a whole number of seconds, got ${opts[name]}`);
    return n;
  };
  return {
    repository: opts.repository,
    digest: opts.digest!,
    timeoutSeconds: seconds('timeout-seconds', 1800),
    pollSeconds: seconds('poll-seconds', 15),
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.region ? { region: opts.region } : {}),
  };
}

if (require.main === module) {
  (async () => {
    let opts: ReturnType<typeof parseArgs>;
    try {
      opts = parseArgs(process.argv.slice(2));
    } catch (e) {
      console.error(`image-scan-gate: ${(e as Error).message}`);
      return 2;
    }
    const ecr = new ECRClient({
      ...(opts.region ? { region: opts.region } : {}),
      maxAttempts: 5,
      retryMode: 'adaptive',
    });
    const result = await runGate(ecr, opts);
    console.log(`image-scan-gate: ${result.compliant ? 'PASS' : 'FAIL'} (MLOPS-IMG-1): ${result.reason}`);
    return result.compliant ? 0 : 1;
  })().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(`image-scan-gate: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
