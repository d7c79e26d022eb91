import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sample from '../fixtures/validation-report.sample.json';

const ROOT = join(__dirname, '..', '..');

function runReport(args: string[]) {
  const r = spawnSync('npx', ['tsx', 'scripts/report.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assemblyWith(report: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
  const assembly = join(dir, 'cdk.out');
  mkdirSync(assembly);
  writeFileSync(join(assembly, 'validation-report.json'), typeof report === 'string' ? report : JSON.stringify(report));
  return assembly;
}

describe('scripts/report.ts', () => {
  test('exits 1 on open findings and writes the three reports', () => {
    // GIVEN
    const assembly = assemblyWith(sample);
    const out = join(assembly, '..', 'out');

    // WHEN
    const r = runReport(['--assembly', assembly, '--out', out]);

    // THEN
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(join(out, 'security-report.sarif'));
    expect(r.stdout).toContain('FAIL: 3 open, 2 acknowledged findings across 6 packs (2 failed)');
    for (const f of ['security-report.sarif', 'security-report.md', 'security-report.html'])
      expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'security-report.sarif'), 'utf8')).version).toBe('2.1.0');
  });

  test('exits 0 when every finding is acknowledged, writing to <assembly>/reports by default', () => {
    const onlyAcknowledged = {
      ...sample,
      pluginReports: sample.pluginReports.map((p) => ({ ...p, conclusion: 'success', violations: [] })),
    };
    const assembly = assemblyWith(onlyAcknowledged);

    const r = runReport([`--assembly=${assembly}`]);

    expect(r.status).toBe(0);
    expect(r.stdout).toContain('PASS: 0 open, 2 acknowledged findings');
    expect(existsSync(join(assembly, 'reports', 'security-report.md'))).toBe(true);
  });

  test('compares with a base report and records the config file as provenance', () => {
    // GIVEN a base report in which the IAM5 finding was acknowledged, so it is new now
    const base = structuredClone(sample);
    base.pluginReports[0]!.violations = [];
    const assembly = assemblyWith(sample);
    const baseFile = join(assemblyWith(base), 'validation-report.json');

    // WHEN
    const r = runReport(['--assembly', assembly, '--base', baseFile, '--config', 'test/fixtures/large-config.json']);

    // THEN
    expect(r.status).toBe(1);
    const md = readFileSync(join(assembly, 'reports', 'security-report.md'), 'utf8');
    expect(md).toContain('## Changes against the base report: 1 new, 0 fixed');
    expect(md).toMatch(/Provenance: commit [0-9a-f]{12}, config test/);
    expect(readFileSync(join(assembly, 'reports', 'security-report.html'), 'utf8')).toContain(
      '<dt>Config file</dt><dd><code>test/fixtures/large-config.json</code></dd>',
    );
  });

  test('fails with exit 2 on an unreadable base report, naming it', () => {
    const r = runReport(['--assembly', assemblyWith(sample), '--base', join(tmpdir(), 'no-such-base.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--base .*no-such-base\.json: cannot read it as JSON/);
  });

  test('fails with exit 2 when the report is missing, telling to run cdk synth', () => {
    const r = runReport(['--assembly', join(tmpdir(), 'no-such-assembly-dir')]);

    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/validation-report\.json not found; run `npx cdk synth` first/);
  });

  test('fails with exit 2 on a malformed report, naming the field', () => {
    const r = runReport([
      '--assembly',
      assemblyWith({ version: '55.0.0', pluginReports: [{ pluginName: 'X', violations: [] }] }),
    ]);

    expect(r.status).toBe(2);
    expect(r.stderr).toContain('pluginReports[0].conclusion');
  });

  test('fails with exit 2 on an unknown argument', () => {
    const r = runReport(['--assembley', 'cdk.out']);

    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'unknown option "--assembley"; did you mean "--assembly"? (known options: --help, --assembly, --out, --config, --base)',
    );
  });

  test('prints its usage for --help and exits 0, reading nothing', () => {
    const r = runReport(['--help']);

    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run report -- \[options\]/);
    expect(r.stdout).toContain('--assembly <dir>');
  });
});
