/**
 * The evidence a release record hashes, read from a checkout and a cloud assembly: the config file, the environment's
 * templates and model cards, the validation report, the security reports and SBOMs. The record writer and
 * `release:verify` use the same functions, so a verified hash is computed exactly as it was recorded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DEFAULT_CONFIG_CONTEXT_KEY, parseConfig } from '../../lib/config/loader';
import { MlopsConfig } from '../../lib/config/schema';
import type { HashedFile, ReleaseRecord } from '../../core/contracts/release-record';
import { assemblyStacks } from '../../lib/reports/assembly';

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
export const sha256File = (file: string): string => sha256(readFileSync(file));

/** JSON with object keys sorted, so a hash of content does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The config file the synth used (relative to `root`; `cdk.json` when none was given) and the parsed config. */
export function readConfig(root: string, configFile?: string): { file: string; sha256: string; config: MlopsConfig } {
  const file = configFile ?? 'cdk.json';
  const text = readFileSync(join(root, file), 'utf8');
  const doc = JSON.parse(text) as { context?: Record<string, unknown> };
  const config =
    configFile === undefined
      ? parseConfig(doc.context?.[DEFAULT_CONFIG_CONTEXT_KEY], `cdk.json context "${DEFAULT_CONFIG_CONTEXT_KEY}"`)
      : parseConfig(doc, file);
  return { file: toPosix(file), sha256: sha256(text), config };
}

/** Every stack of the assembly (nested stage assemblies included): display name and template path. */
function stacksOf(assembly: string): { displayName: string; templatePath: string }[] {
  let stacks;
  try {
    stacks = assemblyStacks(assembly);
  } catch (e) {
    throw new Error(`${assembly} is not a cloud assembly this tool can read (${(e as Error).message}); run cdk synth`);
  }
  return stacks.map((s) => ({ displayName: s.displayName, templatePath: join(assembly, s.templatePath) }));
}

/** The environment's templates (relative to the assembly) and the model cards they define. */
export function environmentEvidence(assembly: string, environment: string) {
  const stacks = stacksOf(assembly)
    .filter((s) => s.displayName.startsWith(`${environment}/`))
    .sort((a, b) => a.templatePath.localeCompare(b.templatePath));
  if (stacks.length === 0) throw new Error(`the assembly ${assembly} has no stack of environment "${environment}"`);
  const templates: HashedFile[] = stacks.map((s) => ({
    file: toPosix(relative(assembly, s.templatePath)),
    sha256: sha256File(s.templatePath),
  }));
  const modelCards = stacks.flatMap((s) => modelCardsOf(JSON.parse(readFileSync(s.templatePath, 'utf8'))));
  const reportFile = join(assembly, 'validation-report.json');
  const validationReport = existsSync(reportFile)
    ? { file: 'validation-report.json', sha256: sha256File(reportFile) }
    : undefined;
  return { templates, modelCards, ...(validationReport ? { validationReport } : {}) };
}

/** Model cards of a template: name, status and the SHA-256 of their content (canonical JSON). */
export function modelCardsOf(template: { Resources?: Record<string, { Type?: string; Properties?: unknown }> }) {
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::SageMaker::ModelCard')
    .map((r) => {
      const p = r.Properties as { ModelCardName?: unknown; ModelCardStatus?: unknown; Content?: unknown };
      return {
        name: String(p.ModelCardName),
        status: String(p.ModelCardStatus),
        sha256: sha256(canonicalJson(p.Content ?? {})),
      };
    });
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}

/** The security reports and the SBOMs (files under `sbom/`) of the reports directory, relative to it. */
export function reportEvidence(reportsDir: string): { reports: HashedFile[]; sboms: HashedFile[] } {
  const files = walk(reportsDir).map((path) => ({
    file: toPosix(relative(reportsDir, path)),
    sha256: sha256File(path),
  }));
  const isSbom = (f: HashedFile) => f.file.startsWith('sbom/');
  return { reports: files.filter((f) => !isSbom(f)), sboms: files.filter(isSbom) };
}

/** The images the environment runs, from the config: each by digest (a config without one cannot be recorded). */
export function imagesOf(config: MlopsConfig): ReleaseRecord['images'] {
  return config.models.map((m) => {
    const digest = m.image.digest ?? (m.image.tag.startsWith('sha256:') ? m.image.tag : undefined);
    if (digest === undefined)
      throw new Error(`models["${m.name}"].image has no digest: a release record names every image by digest`);
    return { model: m.name, repository: m.image.repository, tag: m.image.tag, digest };
  });
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}
