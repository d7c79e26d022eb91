/**
 * The model-image workflow's scan gate against the local emulator: real ECR calls (DescribeRepositories,
 * DescribeImages, DescribeImageScanFindings) judged by the catalogue rule MLOPS-IMG-1. moto returns the same
 * fake finding for every scanned image, so the verdict is driven by the threshold in the config.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  ECRClient,
  PutImageCommand,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import { parseCommandLine } from '../../lib/cli/args';
import { IMAGE_SCAN_GATE_COMMAND, gateOptions, runGate } from '../../scripts/image-scan-gate';
import { defaultConfigDocument } from '../support/app';
import { useMoto } from '../support/aws-env';

const moto = useMoto();
const manifest = (n: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: `sha256:${n.repeat(64)}` },
    layers: [],
  });

function configWithMaxSeverity(max: string): string {
  const doc = defaultConfigDocument() as { compliance: Record<string, unknown> };
  doc.compliance.maxFindingSeverity = max;
  const file = join(mkdtempSync(join(tmpdir(), 'gate-config-')), 'config.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('image scan gate (moto)', () => {
  let ecr: ECRClient;
  let scanned: string;
  let unscanned: string;
  const log: string[] = [];

  beforeAll(async () => {
    ecr = new ECRClient(moto.clientConfig());
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'fraud-xgb', imageTagMutability: 'IMMUTABLE' }));
    scanned = (
      await ecr.send(
        new PutImageCommand({ repositoryName: 'fraud-xgb', imageManifest: manifest('a'), imageTag: 'abc' }),
      )
    ).image!.imageId!.imageDigest!;
    // moto gives every image the digest of empty content: the never-scanned image lives in its own repository.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'unscanned', imageTagMutability: 'IMMUTABLE' }));
    unscanned = (
      await ecr.send(
        new PutImageCommand({ repositoryName: 'unscanned', imageManifest: manifest('b'), imageTag: 'def' }),
      )
    ).image!.imageId!.imageDigest!;
    await ecr.send(new StartImageScanCommand({ repositoryName: 'fraud-xgb', imageId: { imageDigest: scanned } }));
  });

  test('fails an image with findings above the policy threshold, naming them', async () => {
    // GIVEN moto's scan result for the image and a policy allowing nothing above INFORMATIONAL
    const counts = (
      await ecr.send(
        new DescribeImageScanFindingsCommand({ repositoryName: 'fraud-xgb', imageId: { imageDigest: scanned } }),
      )
    ).imageScanFindings?.findingSeverityCounts;
    expect(Object.keys(counts ?? {}).length).toBeGreaterThan(0);
    // WHEN
    const r = await runGate(
      ecr,
      {
        repository: 'fraud-xgb',
        digest: scanned,
        config: configWithMaxSeverity('INFORMATIONAL'),
        timeoutSeconds: 5,
        pollSeconds: 0,
      },
      (l) => log.push(l),
    );
    // THEN
    expect(r.compliant).toBe(false);
    expect(r.reason).toMatch(/fraud-xgb:abc has findings above INFORMATIONAL: /);
    expect(log.some((l) => /scan COMPLETE/.test(l))).toBe(true);
  });

  test('passes the same image when the policy allows its findings', async () => {
    const r = await runGate(
      ecr,
      {
        repository: 'fraud-xgb',
        digest: scanned,
        config: configWithMaxSeverity('CRITICAL'),
        timeoutSeconds: 5,
        pollSeconds: 0,
      },
      () => undefined,
    );
    expect(r).toMatchObject({ compliant: true, reason: expect.stringContaining('no findings above CRITICAL') });
  });

  test('fails an image whose scan never finishes, after the timeout, saying what to check', async () => {
    const sleeps: number[] = [];
    const r = await runGate(
      ecr,
      { repository: 'unscanned', digest: unscanned, timeoutSeconds: 0, pollSeconds: 1 },
      () => undefined,
      async (ms) => void sleeps.push(ms),
    );
    expect(r.compliant).toBe(false);
    expect(r.reason).toMatch(/did not finish within 0 s .*scan on push/);
  });

  test('rejects a digest that is not sha256:<hex>, naming the value', () => {
    const parseArgs = (argv: string[]) => {
      const parsed = parseCommandLine(IMAGE_SCAN_GATE_COMMAND, argv);
      if (parsed.help) throw new Error('unexpected --help');
      return gateOptions(parsed.values);
    };
    expect(() => parseArgs(['--repository', 'r', '--digest', 'latest'])).toThrow(
      /--digest must be sha256:<64 hex digits>, got "latest"/,
    );
    expect(() =>
      parseArgs(['--repository', 'r', '--digest', `sha256:${'c'.repeat(64)}`, '--poll-seconds', 'x']),
    ).toThrow('--poll-seconds must be an integer >= 0, got "x"');
    expect(parseArgs(['--repository=r', `--digest=sha256:${'c'.repeat(64)}`, '--region', 'eu-west-1'])).toMatchObject({
      timeoutSeconds: 1800,
      region: 'eu-west-1',
    });
  });
});
