/**
 * `npm run sbom [-- --out cdk.out/sbom]`: CycloneDX 1.5 SBOMs of what we ship, validated against the schema.
 *   npm-production.cdx.json      the repository's production dependencies (cyclonedx-npm)
 *   lambda-<name>.cdx.json       each Lambda bundle: what esbuild bundled, plus what the Lambda runtime provides
 *   lambda/<name>/index.js       the bundle each Lambda SBOM describes (byte-identical to the synthesized asset)
 * Exit 0 on success, 2 on bad arguments, 1 when an SBOM cannot be made or is invalid.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LAMBDA_ENTRIES, LambdaName } from '../lib/constructs/lambda-bundling';
import { writeLambdaSbom } from './sbom/lambda-sbom';
import { writeNpmSbom } from './sbom/npm-sbom';

const USAGE = 'usage: npm run sbom [-- --out cdk.out/sbom]';

function parseArgs(argv: readonly string[]): { out: string } {
  if (argv.length === 0) return { out: 'cdk.out/sbom' };
  const [flag, inline] = argv[0]!.split(/=(.*)/s, 2);
  const value = inline ?? argv[1];
  if (flag !== '--out' || !value || argv.length > (inline === undefined ? 2 : 1)) {
    throw new UsageError(`unexpected arguments ${JSON.stringify(argv.join(' '))}\n${USAGE}`);
  }
  return { out: value };
}

class UsageError extends Error {}

async function main(): Promise<number> {
  let out: string;
  try {
    ({ out } = parseArgs(process.argv.slice(2)));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`sbom: ${e.message}`);
    return 2;
  }
  // Only what this command writes is replaced, so a removed Lambda leaves no stale SBOM behind.
  for (const f of existsSync(out) ? readdirSync(out) : []) {
    if (/^(lambda-.+|npm-production)\.cdx\.json$/.test(f) || f === 'lambda') rmSync(join(out, f), { recursive: true });
  }
  mkdirSync(out, { recursive: true });
  console.log('sbom: production npm dependencies (cyclonedx-npm)...');
  console.log(`  wrote ${relative(process.cwd(), await writeNpmSbom(out))}`);
  for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
    console.log(`sbom: Lambda ${name} (esbuild + cyclonedx-esbuild)...`);
    const r = await writeLambdaSbom(name, out);
    console.log(
      `  wrote ${relative(process.cwd(), r.sbomFile)}: ${r.bundled.length} bundled, ${r.external.length} runtime-provided (${r.external.join(', ')}); bundle sha256 ${r.bundleSha256}`,
    );
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`sbom: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
