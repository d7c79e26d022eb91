/**
 * Each entry point of the package loads only what its consumers need, and nothing of the repository around it:
 * imported from an empty directory (no cdk.json, no config), `.` and `./nag` never load CDK Terrain (an optional
 * peer), and `./policy` loads neither aws-cdk-lib, constructs, cdk-nag nor cdktn. Run on the sources through tsx:
 * the compiled package keeps the same imports (test/package/consumer.test.ts proves the compiled one).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ENTRIES = {
  '.': 'lib/index.ts',
  './nag': 'lib/nag/index.ts',
  './policy': 'core/policy/index.ts',
  './cdktf': 'lib/cdktf/index.ts',
} as const;

/** The packages an entry point loads, from a directory with nothing in it. */
function packagesLoadedBy(entry: string): { packages: string[]; exports: string[] } {
  const script =
    `const m = require(${JSON.stringify(join(ROOT, entry))});` +
    "const pkgs = new Set(Object.keys(require.cache).map((k) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(k)?.[1]).filter(Boolean).map((p) => p.replace('\\\\', '/')));" +
    'console.log(JSON.stringify({ packages: [...pkgs].sort(), exports: Object.keys(m).sort() }));';
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    cwd: mkdtempSync(join(tmpdir(), 'mlops-entry-')),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`loading ${entry} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as { packages: string[]; exports: string[] };
}

describe('package entry points', () => {
  test('. exports the constructs and stacks and never loads cdktn', () => {
    const { packages, exports } = packagesLoadedBy(ENTRIES['.']);
    expect(exports).toEqual(
      expect.arrayContaining(['ModelEndpoint', 'DriftMonitor', 'ComplianceChecker', 'PlatformStack', 'MlopsStage']),
    );
    expect(packages).not.toContain('cdktn');
  });

  test('./nag exports the MLOPS pack and the acknowledgement helpers and never loads cdktn', () => {
    const { packages, exports } = packagesLoadedBy(ENTRIES['./nag']);
    expect(exports).toEqual(expect.arrayContaining(['MlopsChecks', 'registerPolicyPacks', 'acknowledge']));
    expect(packages).not.toContain('cdktn');
  });

  test('./policy is pure: no aws-cdk-lib, constructs, cdk-nag or cdktn', () => {
    const { packages, exports } = packagesLoadedBy(ENTRIES['./policy']);
    expect(exports).toEqual(expect.arrayContaining(['RULES', 'evaluate', 'factsFromTemplate', 'factsFromPlan']));
    expect(packages.filter((p) => /^(aws-cdk-lib|constructs|cdk-nag|cdktn|@aws-sdk\/)/.test(p))).toEqual([]);
  });

  test('./cdktf exports the CDK Terrain construct', () => {
    const { packages, exports } = packagesLoadedBy(ENTRIES['./cdktf']);
    expect(exports).toEqual(expect.arrayContaining(['MlopsModelEnvironment', 'moduleContext']));
    expect(packages).toContain('cdktn');
    expect(packages).not.toContain('aws-cdk-lib');
  });
});
