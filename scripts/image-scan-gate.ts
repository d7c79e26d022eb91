/**
 * Waits for the ECR scan of one pushed image and judges it with the catalogue rule MLOPS-IMG-1 (no finding above
 * compliance.maxFindingSeverity), the same rule the compliance checker applies at run time:
 *   npx tsx scripts/image-scan-gate.ts --repository <name> --digest sha256:<hex> [--region eu-west-1]
 *     [--config <file>] [--timeout-seconds 1800] [--poll-seconds 15]
 * Exit 0: compliant; 1: findings above the threshold, or the scan failed or did not finish in time; 2: bad usage
 * or an unreadable or invalid --config (`--help` for every option).
 * Works with basic and enhanced (Inspector) scanning; credentials and endpoint come from the SDK's usual chain.
 */
import {
  DescribeImageScanFindingsCommand,
  DescribeImageScanFindingsResponse,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageDetail,
} from '@aws-sdk/client-ecr';
import {
  CONFIG_OPTION,
  CommandSpec,
  InputError,
  OptionSpec,
  UsageError,
  Values,
  intOption,
  runAsMain,
} from '../lib/cli/args';
import { ConfigError, compliancePolicy, loadConfigArgument } from '../lib/config/loader';
import { imageFacts } from '../core/policy/from-aws';
import { imageFindingsWithinThreshold } from '../core/policy/rules/image';
import { stepClientConfig } from './release/step-options';

export interface GateOptions {
  readonly repository: string;
  readonly digest: string;
  /** A config file or a cdk.json; the default config embedded in the project's cdk.json when absent. */
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
  const config = loadConfigArgument(opts.config);
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

export const IMAGE_SCAN_GATE_COMMAND = {
  command: 'npx tsx scripts/image-scan-gate.ts',
  summary:
    'Waits for the ECR scan of one pushed image and judges it with MLOPS-IMG-1: no finding above\ncompliance.maxFindingSeverity of the config.',
  options: {
    repository: { type: 'string', valueName: '<name>', description: 'ECR repository (required)' },
    digest: { type: 'string', valueName: 'sha256:<hex>', description: 'digest of the pushed image (required)' },
    region: { type: 'string', valueName: '<region>', description: "AWS region (default: the SDK's usual chain)" },
    config: { ...CONFIG_OPTION, description: `config whose policy applies: ${CONFIG_OPTION.description}` },
    'timeout-seconds': {
      type: 'string',
      valueName: '<n>',
      description: 'how long to wait for the scan to finish (default 1800)',
    },
    'poll-seconds': { type: 'string', valueName: '<n>', description: 'time between scan status reads (default 15)' },
  },
  epilogue:
    'exit codes: 0 compliant; 1 findings above the threshold, or the scan failed or did not finish in time;\n2 wrong arguments or an unreadable or invalid --config.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

/** The gate's options from the parsed command line; a UsageError names a missing or malformed value. */
export function gateOptions(
  values: Values<typeof IMAGE_SCAN_GATE_COMMAND.options>,
): GateOptions & { readonly region?: string } {
  if (!values.repository) throw new UsageError('--repository is required: the ECR repository of the image');
  if (!/^sha256:[0-9a-f]{64}$/.test(values.digest ?? '')) {
    throw new UsageError(`--digest must be sha256:<64 hex digits>, got ${JSON.stringify(values.digest)}`);
  }
  return {
    repository: values.repository,
    digest: values.digest!,
    timeoutSeconds: intOption(values['timeout-seconds'], 'timeout-seconds', 0) ?? 1800,
    pollSeconds: intOption(values['poll-seconds'], 'poll-seconds', 0) ?? 15,
    ...(values.config ? { config: values.config } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
}

async function main(values: Values<typeof IMAGE_SCAN_GATE_COMMAND.options>): Promise<number> {
  const opts = gateOptions(values);
  const ecr = new ECRClient(stepClientConfig(opts.region));
  let result: GateResult;
  try {
    result = await runGate(ecr, opts);
  } catch (e) {
    // A --config that cannot be read or is invalid is the command line's input, not the image: exit 2.
    if (e instanceof ConfigError) throw new InputError(e.message);
    throw e;
  }
  console.log(`image-scan-gate: ${result.compliant ? 'PASS' : 'FAIL'} (MLOPS-IMG-1): ${result.reason}`);
  return result.compliant ? 0 : 1;
}

if (require.main === module) runAsMain(IMAGE_SCAN_GATE_COMMAND, main);
