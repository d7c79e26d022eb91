/**
 * `npm run sbom [-- --out cdk.out/sbom]`: CycloneDX 1.5 SBOMs of what we ship, validated against the schema.
 *   npm-production.cdx.json      the repository's production dependencies (cyclonedx-npm)
 *   lambda-<name>.cdx.json       each Lambda bundle: what esbuild bundled, plus what the Lambda runtime provides
 *   lambda/<name>/index.js       the bundle each Lambda SBOM describes (byte-identical to the synthesized asset)
 * Exit 0 on success, 2 on bad arguments, 1 when an SBOM cannot be made or is invalid.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CommandSpec, OptionSpec, UsageError, Values, runAsMain } from '../lib/cli/args';
import { LAMBDA_ENTRIES, LambdaName } from '../lib/constructs/lambda-bundling';
import { writeLambdaSbom } from './sbom/lambda-sbom';
import { writeNpmSbom } from './sbom/npm-sbom';

export const SBOM_COMMAND = {
  command: 'npm run sbom --',
  summary:
    'CycloneDX 1.5 SBOMs of what we ship, validated against the schema: the production npm dependencies and each\nLambda bundle (with the bundle it describes).',
  options: {
    out: { type: 'string', valueName: '<dir>', description: 'where the SBOMs go (default cdk.out/sbom)' },
  },
  epilogue: 'exit codes: 0 written; 1 an SBOM cannot be made or is invalid; 2 wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

async function main(values: Values<typeof SBOM_COMMAND.options>): Promise<number> {
  if (values.out === '') throw new UsageError('--out needs a directory, e.g. --out cdk.out/sbom');
  const out = values.out ?? 'cdk.out/sbom';
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

if (require.main === module) runAsMain(SBOM_COMMAND, main);
