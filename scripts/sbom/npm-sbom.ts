/**
 * The SBOM of the repository's production dependencies (package.json `dependencies`, as installed), made by
 * cyclonedx-npm from `npm ls`: CycloneDX 1.5 JSON, reproducible (no serial number, no timestamp, sorted lists).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../lib/constructs/lambda-bundling';
import { CYCLONEDX_SPEC, assertValidSbom } from './validate';

export const NPM_SBOM_FILE = 'npm-production.cdx.json';

/** Writes `<outDir>/npm-production.cdx.json` and returns its path. */
export async function writeNpmSbom(outDir: string): Promise<string> {
  const file = join(outDir, NPM_SBOM_FILE);
  // The package exports only its API; its CLI is the `bin` entry next to the package root.
  const cli = join(REPO_ROOT, 'node_modules', '@cyclonedx', 'cyclonedx-npm', 'bin', 'cyclonedx-npm-cli.js');
  execFileSync(
    process.execPath,
    [
      cli,
      '--omit',
      'dev',
      '--spec-version',
      CYCLONEDX_SPEC,
      '--output-reproducible',
      '--output-format',
      'JSON',
      '--output-file',
      file,
      '--validate',
      join(REPO_ROOT, 'package.json'),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await assertValidSbom(readFileSync(file, 'utf8'), `SBOM ${file}`);
  return file;
}
