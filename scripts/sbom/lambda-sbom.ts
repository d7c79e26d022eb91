/**
 * One CycloneDX 1.5 SBOM per Lambda bundle. The bundle is rebuilt with esbuild from `esbuildOptions(name)` (the
 * one definition of our bundling, lib/constructs/lambda-bundling.ts), so it is byte for byte the `index.js`
 * `cdk synth` ships; the SBOM carries its SHA-256. cyclonedx-esbuild lists what esbuild really bundled (after
 * tree-shaking); the modules the Lambda runtime provides are added as external components.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { cyclonedxEsbuildPlugin } from '@cyclonedx/cyclonedx-esbuild';
import { build, BuildOptions, Metafile } from 'esbuild';
import {
  ESBUILD_TARGET,
  LAMBDA_RUNTIME,
  LambdaName,
  REPO_ROOT,
  esbuildOptions,
  lambdaCodeProps,
} from '../../lib/constructs/lambda-bundling';
import { CYCLONEDX_SPEC, assertValidSbom } from './validate';

/** Written by cyclonedx-esbuild next to the bundle, then completed into the published SBOM. */
const PLUGIN_OUTPUT = 'bom.plugin.json';

export interface LambdaSbomResult {
  readonly name: LambdaName;
  /** The rebuilt bundle, `<dir>/index.js`. */
  readonly bundleFile: string;
  /** The published SBOM, `<outDir>/lambda-<name>.cdx.json`. */
  readonly sbomFile: string;
  /** SHA-256 of the bundle, as recorded in the SBOM's `metadata.component.hashes`. */
  readonly bundleSha256: string;
  /** Packages bundled (components) and packages the runtime provides (external components). */
  readonly bundled: readonly string[];
  readonly external: readonly string[];
}

interface CdxComponent {
  type: string;
  name: string;
  group?: string;
  version?: string;
  'bom-ref'?: string;
  purl?: string;
  scope?: string;
  description?: string;
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
  [key: string]: unknown;
}
interface CdxBom {
  metadata: { component: CdxComponent; [key: string]: unknown };
  components?: CdxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  [key: string]: unknown;
}

/** Bundles one Lambda into `<outDir>/lambda/<name>/index.js` and writes `<outDir>/lambda-<name>.cdx.json`. */
export async function writeLambdaSbom(name: LambdaName, outDir: string): Promise<LambdaSbomResult> {
  return writeBundleSbom(name, esbuildOptions(name), outDir);
}

/**
 * The work behind `writeLambdaSbom`, for any esbuild options of a Lambda (tests bundle a fixture entry with
 * `esbuildOptions(name)` and another entry point, to show what a bundled third-party package looks like).
 */
export async function writeBundleSbom(
  name: LambdaName,
  options: BuildOptions,
  outDir: string,
): Promise<LambdaSbomResult> {
  const bundleDir = join(outDir, 'lambda', name);
  rmSync(bundleDir, { recursive: true, force: true });
  mkdirSync(bundleDir, { recursive: true });
  const result = await build({
    ...options,
    outfile: join(bundleDir, 'index.js'),
    logLevel: 'warning',
    plugins: [
      cyclonedxEsbuildPlugin({
        specVersion: CYCLONEDX_SPEC,
        outputFile: PLUGIN_OUTPUT,
        outputReproducible: true,
        validate: true,
        logLevel: 'warning',
      }),
    ],
  });
  const pluginFile = join(bundleDir, PLUGIN_OUTPUT);
  const bom = JSON.parse(readFileSync(pluginFile, 'utf8')) as CdxBom;
  rmSync(pluginFile);

  const bundleFile = join(bundleDir, 'index.js');
  const bundleSha256 = createHash('sha256').update(readFileSync(bundleFile)).digest('hex');
  const external = runtimeProvidedPackages(result.metafile);
  completeBom(bom, name, bundleSha256, external);

  const serialized = `${JSON.stringify(bom, null, 2)}\n`;
  await assertValidSbom(serialized, `SBOM of Lambda ${name}`);
  const sbomFile = join(outDir, `lambda-${name}.cdx.json`);
  writeFileSync(sbomFile, serialized);
  const bundled = (bom.components ?? []).filter((c) => !isExternal(c)).map(packageId);
  return { name, bundleFile, sbomFile, bundleSha256, bundled, external };
}

/** Non-builtin packages the bundle imports but does not contain (`external: true` in esbuild's metafile). */
export function runtimeProvidedPackages(metafile: Metafile | undefined): string[] {
  if (!metafile) throw new Error('esbuild returned no metafile; the SBOM plugin needs `metafile: true`');
  const builtins = new Set(builtinModules);
  const packages = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith('node:') || builtins.has(imp.path)) continue;
      const parts = imp.path.split('/');
      packages.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return [...packages].sort();
}

const PROVIDED_BY = `AWS Lambda ${LAMBDA_RUNTIME.name} runtime`;

function completeBom(bom: CdxBom, name: LambdaName, sha256: string, external: readonly string[]): void {
  const code = lambdaCodeProps(name);
  const root = bom.metadata.component;
  // The SBOM describes the bundle, not the repository package it was built from.
  delete root.purl;
  root.name = `lambda-${name}`;
  root.group = 'mlops-secure-delivery';
  root.description = `Lambda function bundle ${name}/index.js (esbuild, ${ESBUILD_TARGET})`;
  root.hashes = [{ alg: 'SHA-256', content: sha256 }];
  root.properties = [
    ...(root.properties ?? []),
    { name: 'mlops:lambda:runtime', value: LAMBDA_RUNTIME.name },
    { name: 'mlops:lambda:architecture', value: code.architecture.name },
    { name: 'mlops:lambda:handler', value: code.handler },
  ].sort(byName);

  const rootRef = root['bom-ref'] ?? `lambda-${name}`;
  const externalComponents = external.map((pkg) => externalComponent(pkg));
  bom.components = [...(bom.components ?? []), ...externalComponents].sort(byRef);
  const deps = bom.dependencies ?? [];
  const rootDeps = deps.find((d) => d.ref === rootRef) ?? deps[deps.push({ ref: rootRef }) - 1]!;
  rootDeps.dependsOn = [...(rootDeps.dependsOn ?? []), ...externalComponents.map((c) => c['bom-ref']!)].sort();
  for (const c of externalComponents) deps.push({ ref: c['bom-ref']! });
  bom.dependencies = deps.sort((a, b) => a.ref.localeCompare(b.ref));
}

/** A package the runtime provides: the version is the one we built and tested against. */
function externalComponent(pkg: string): CdxComponent {
  const version = installedVersion(pkg);
  const [group, name] = pkg.startsWith('@') ? (pkg.split('/') as [string, string]) : [undefined, pkg];
  return {
    type: 'library',
    ...(group ? { group } : {}),
    name,
    ...(version ? { version } : {}),
    'bom-ref': `external:${pkg}`,
    ...(version ? { purl: `pkg:npm/${pkg.replace(/^@/, '%40')}@${version}` } : {}),
    scope: 'required',
    description: `Not bundled: provided by the ${PROVIDED_BY}; the version is the one the bundle was built against.`,
    properties: [
      { name: 'mlops:bundled', value: 'false' },
      { name: 'mlops:provided-by', value: PROVIDED_BY },
    ],
  };
}

function installedVersion(pkg: string): string | undefined {
  const file = join(REPO_ROOT, 'node_modules', pkg, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version : undefined;
}

function isExternal(c: CdxComponent): boolean {
  return (c.properties ?? []).some((p) => p.name === 'mlops:bundled' && p.value === 'false');
}

function packageId(c: CdxComponent): string {
  return `${c.group ? `${c.group}/` : ''}${c.name}${c.version ? `@${c.version}` : ''}`;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}

function byRef(a: CdxComponent, b: CdxComponent): number {
  return (a['bom-ref'] ?? a.name).localeCompare(b['bom-ref'] ?? b.name);
}
