/**
 * Where a report comes from, so a reviewer can tie it to a commit and a config: the commit, the config file and
 * the versions of the tools that judged it. Collected by `npm run report`; the renderers only print it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Provenance {
  /** Commit the report was made from (`GITHUB_SHA` in GitHub Actions, else `git rev-parse HEAD`). */
  readonly commit?: string;
  /** The config file synthesized, relative to the repository. */
  readonly configFile?: string;
  /** Tool name → version, e.g. `cdk-nag` → `3.0.2`. */
  readonly tools: Readonly<Record<string, string>>;
}

export interface ProvenanceOptions {
  /**
   * Repository root: where git runs and `node_modules` is read.
   * @default process.cwd()
   */
  readonly repoDir?: string;
  /**
   * The config file the assembly was synthesized from.
   * @default 'cdk.json' (the embedded default config)
   */
  readonly configFile?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Packages whose versions decide the verdicts. */
const TOOL_PACKAGES = ['aws-cdk-lib', 'cdk-nag', 'aws-cdk'] as const;

export function collectProvenance(opts: ProvenanceOptions = {}): Provenance {
  const repoDir = opts.repoDir ?? process.cwd();
  const env = opts.env ?? process.env;
  const tools: Record<string, string> = { node: process.version };
  for (const pkg of TOOL_PACKAGES) {
    const version = packageVersion(repoDir, pkg);
    if (version) tools[pkg] = version;
  }
  const commit = env.GITHUB_SHA ?? gitHead(repoDir);
  return { ...(commit ? { commit } : {}), configFile: opts.configFile ?? 'cdk.json', tools };
}

/** `commit 1a2b3c4, config cdk.json, aws-cdk-lib 2.276.0, cdk-nag 3.0.2, node v20.19.0`. */
export function provenanceLine(p: Provenance): string {
  return [
    ...(p.commit ? [`commit ${p.commit.slice(0, 12)}`] : []),
    ...(p.configFile ? [`config ${p.configFile}`] : []),
    ...Object.entries(p.tools).map(([tool, version]) => `${tool} ${version}`),
  ].join(', ');
}

function packageVersion(repoDir: string, pkg: string): string | undefined {
  try {
    return (
      JSON.parse(readFileSync(join(repoDir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }
    ).version;
  } catch {
    return undefined;
  }
}

function gitHead(repoDir: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoDir, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined;
  }
}
