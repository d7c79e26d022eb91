/**
 * Every command a user runs answers `--help` with its usage and exit 0 before starting any work, and rejects an
 * unknown option with exit 2 and the list of known ones (one shared parser, lib/cli/args.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const COMMANDS = [
  'bin/baseline.ts',
  'scripts/report.ts',
  'scripts/bench-synth.ts',
  'scripts/bench-drift.ts',
  'scripts/bench-compliance.ts',
  'scripts/make-example-data.ts',
  'scripts/deploy-local.ts',
  'scripts/config-schema.ts',
  'scripts/policy-terraform.ts',
  'scripts/sbom.ts',
  'scripts/build-package.ts',
  'scripts/image-scan-gate.ts',
  'scripts/drift-report.ts',
  'scripts/bench-drift-report.ts',
  'scripts/bench-quality.ts',
  'scripts/make-drift-report-picture.ts',
  'images/dockerfile-policy.ts',
  'scripts/release-approval.ts',
  'scripts/release-record.ts',
  'scripts/release-verify.ts',
  'scripts/release-record-schema.ts',
  'test/terraform/make-plan-fixtures.ts',
  'test/terraform/terraform-cli.ts',
];
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe.each(COMMANDS)('%s', (script) => {
  it('prints only its usage for --help and exits 0', () => {
    const r = run(script, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: .+ \[options\]\n\n.+\n/);
    expect(r.stdout).toMatch(/-h, --help +print this help and exit\n/);
    // Nothing ran: no progress, no figures, no emulator
    expect(r.stderr).toBe('');
  });

  it('rejects an unknown option with exit 2, listing the known ones', () => {
    const r = run(script, '--no-such-option');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "--no-such-option".*\(known options: --help/);
  });
});
