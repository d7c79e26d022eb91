import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAMBDA_ENTRIES, LambdaName, esbuildOptions } from '../../lib/constructs/lambda-bundling';
import { runtimeProvidedPackages, writeBundleSbom, writeLambdaSbom } from '../../scripts/sbom/lambda-sbom';
import { writeNpmSbom } from '../../scripts/sbom/npm-sbom';
import { assertValidSbom } from '../../scripts/sbom/validate';
import { App } from 'aws-cdk-lib';
import { assemblyStacks } from '../../lib/reports/assembly';
import { buildApp } from '../../lib/app';
import { parseConfig } from '../../lib/config/loader';
import { defaultConfigDocument, featureFlags } from '../support/app';

const NAMES = Object.keys(LAMBDA_ENTRIES) as LambdaName[];
/** The construct that bundles each Lambda, by the end of its path. */
const CONSTRUCT_PATH: Record<LambdaName, RegExp> = {
  'compliance-checker': /\/ComplianceChecker\/Resource\/Resource$/,
  'drift-detector': /\/Detector\/Resource$/,
};
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const tmp = () => mkdtempSync(join(tmpdir(), 'mlops-sbom-'));

interface Bom {
  specVersion: string;
  metadata: { component: { name: string; hashes?: { alg: string; content: string }[] } };
  components?: { name: string; group?: string; scope?: string; properties?: { name: string; value: string }[] }[];
}

describe('Lambda SBOMs', () => {
  const out = tmp();
  const results = new Map<LambdaName, Awaited<ReturnType<typeof writeLambdaSbom>>>();

  beforeAll(async () => {
    for (const name of NAMES) results.set(name, await writeLambdaSbom(name, out));
  }, 120000);

  test.each(NAMES)('%s: valid CycloneDX 1.5 describing the bundle by its SHA-256', async (name) => {
    // GIVEN the SBOM npm run sbom writes for one Lambda
    const r = results.get(name)!;
    const text = readFileSync(r.sbomFile, 'utf8');
    const bom = JSON.parse(text) as Bom;
    // THEN the CycloneDX library's strict schema validator accepts it, and it names the bundle by hash
    await expect(assertValidSbom(text, name)).resolves.toBeUndefined();
    expect(bom.specVersion).toBe('1.5');
    expect(bom.metadata.component.name).toBe(`lambda-${name}`);
    expect(bom.metadata.component.hashes).toEqual([{ alg: 'SHA-256', content: sha256(readFileSync(r.bundleFile)) }]);
  });

  test.each(NAMES)('%s: lists what the Lambda runtime provides as external components', (name) => {
    // GIVEN the SBOM of a Lambda whose code imports AWS SDK v3 clients (left out of the bundle)
    const r = results.get(name)!;
    const bom = JSON.parse(readFileSync(r.sbomFile, 'utf8')) as Bom;
    const external = (bom.components ?? []).filter((c) =>
      c.properties?.some((p) => p.name === 'mlops:bundled' && p.value === 'false'),
    );
    // THEN every imported SDK client is there, marked as provided by the runtime, and absent from the bundle
    expect(r.external.length).toBeGreaterThan(0);
    expect(external.map((c) => `${c.group}/${c.name}`).sort()).toEqual([...r.external]);
    expect(r.external.every((p) => p.startsWith('@aws-sdk/'))).toBe(true);
    const bundle = readFileSync(r.bundleFile, 'utf8');
    for (const pkg of r.external) expect(bundle).toContain(`require("${pkg}")`);
  });

  test('is reproducible: the same input gives the same files', async () => {
    // GIVEN a second run into another folder
    const again = tmp();
    for (const name of NAMES) {
      const r = await writeLambdaSbom(name, again);
      // THEN SBOM and bundle are byte-identical
      expect(readFileSync(r.sbomFile, 'utf8')).toBe(readFileSync(results.get(name)!.sbomFile, 'utf8'));
      expect(r.bundleSha256).toBe(results.get(name)!.bundleSha256);
    }
  }, 120000);

  test('describes byte for byte the bundle cdk synth ships as the asset', () => {
    // GIVEN the app synthesized with its Lambda assets (path metadata on, as the CDK CLI does)
    const app = new App({
      outdir: tmp(),
      context: { ...featureFlags(), 'aws:cdk:enable-path-metadata': true },
      builtinCloudFormationValidation: false,
    });
    buildApp(app, parseConfig(defaultConfigDocument()), { policyPacks: false });
    const assembly = app.synth();
    const assetOf = new Map<LambdaName, string[]>();
    // With a pipeline configured, the environments are stages: assemblyStacks descends into their nested assemblies.
    for (const { artifact: stack } of assemblyStacks(assembly)) {
      const resources = (stack.template as { Resources: Record<string, CfnResource> }).Resources;
      for (const resource of Object.values(resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        const name = NAMES.find((n) => CONSTRUCT_PATH[n].test(resource.Metadata?.['aws:cdk:path'] ?? ''));
        const key = resource.Properties.Code?.S3Key;
        if (!name || typeof key !== 'string') continue;
        // Assets of every stage are staged once, at the root of the cloud assembly.
        const file = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
        assetOf.set(name, [...(assetOf.get(name) ?? []), file]);
      }
    }
    // THEN every function of ours is found, and each shipped index.js is the bundle its SBOM hashes
    expect([...assetOf.keys()].sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      const sbomBundle = readFileSync(results.get(name)!.bundleFile);
      for (const file of assetOf.get(name)!) {
        expect(readdirSync(join(file, '..'))).toEqual(['index.js']);
        expect(sha256(readFileSync(file))).toBe(results.get(name)!.bundleSha256);
        expect(readFileSync(file).equals(sbomBundle)).toBe(true);
      }
    }
  }, 300000);

  test('lists a bundled third-party package as a component, and a runtime-provided one as external', async () => {
    // GIVEN our esbuild options with a fixture entry that bundles zod and imports the S3 client
    const options = {
      ...esbuildOptions('drift-detector'),
      entryPoints: [join(__dirname, '..', 'fixtures', 'sbom-entry.ts')],
    };
    // WHEN
    const r = await writeBundleSbom('drift-detector', options, tmp());
    const text = readFileSync(r.sbomFile, 'utf8');
    const zodVersion = (JSON.parse(readFileSync(require.resolve('zod/package.json'), 'utf8')) as { version: string })
      .version;
    // THEN zod is a bundled component with its purl, the S3 client an external one, and the SBOM is valid
    expect(r.bundled).toEqual([`zod@${zodVersion}`]);
    expect(r.external).toEqual(['@aws-sdk/client-s3']);
    expect(text).toContain(`"purl": "pkg:npm/zod@${zodVersion}?`);
    await expect(assertValidSbom(text, 'fixture')).resolves.toBeUndefined();
  }, 60000);

  test('rejects a metafile-less build with a clear error', () => {
    expect(() => runtimeProvidedPackages(undefined)).toThrow(/esbuild returned no metafile/);
  });
});

describe('npm production SBOM', () => {
  test('is valid CycloneDX 1.5, lists production dependencies only, and is reproducible', async () => {
    // GIVEN two runs of the production-dependency SBOM
    const [a, b] = [await writeNpmSbom(tmp()), await writeNpmSbom(tmp())];
    const text = readFileSync(a, 'utf8');
    const bom = JSON.parse(text) as Bom;
    const names = (bom.components ?? []).map((c) => (c.group ? `${c.group}/${c.name}` : c.name));
    // THEN it validates, holds the runtime dependencies and none of the dev tooling, and runs give the same file
    await expect(assertValidSbom(text, 'npm')).resolves.toBeUndefined();
    expect(bom.specVersion).toBe('1.5');
    expect(names).toEqual(expect.arrayContaining(['aws-cdk-lib', 'cdk-nag', 'constructs', 'zod']));
    // The AWS SDK is bundled into the Lambda functions or provided by their runtime (the Lambda SBOMs list it), and
    // cdktn is an optional peer for Terraform users: neither is a dependency of what synthesizes.
    expect(names).not.toContain('@aws-sdk/client-s3');
    expect(names).not.toContain('cdktn');
    expect(names).not.toContain('jest');
    expect(names).not.toContain('esbuild');
    expect(readFileSync(b, 'utf8')).toBe(text);
  }, 120000);

  test('rejects an invalid SBOM, naming the schema error', async () => {
    await expect(
      assertValidSbom(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 'x' }), 'bad'),
    ).rejects.toThrow(/bad is not valid CycloneDX 1.5/);
  });
});

interface CfnResource {
  Type: string;
  Metadata?: Record<string, string>;
  Properties: { Code?: { S3Key?: unknown } };
}
