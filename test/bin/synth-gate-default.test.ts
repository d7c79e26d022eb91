/**
 * The README's promise, proved through the user's own command: `npx cdk synth` (the real CDK CLI running
 * bin/mlops.ts) on the embedded default config, which has a pipeline, so the environments are stages the CLI itself
 * never judges. Each case is a throw-away copy of the project with one deliberate insecure change to a source
 * file; the synths run two at a time in beforeAll, the tests read their exit codes and output.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lib/config/loader';
import { buildReleaseRecord } from '../../scripts/release/record';
import { defaultConfigDocument } from '../support/app';
import { cdkSynth, CliRun, copyProject, INSECURE_CHANGES, limited, removeCopies, REPO_ROOT } from '../support/cdk-cli';
import { expectReleaseAcceptance } from '../support/release-acceptance';
import { productionHistory, synthReports } from '../support/release-fixtures';

const EXECUTION = '2b3c4d5e-0000-4000-8000-0123456789ab';

type Case = { readonly change: (dir: string) => void; readonly args?: string[]; readonly env?: NodeJS.ProcessEnv };

/** The default config without its pipeline block: environments are plain constructs, deployed with `cdk deploy`. */
function withoutPipeline(dir: string): void {
  const cdkJson = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8')) as {
    context: { 'mlops:defaultConfig': { pipeline?: unknown } };
  };
  delete cdkJson.context['mlops:defaultConfig'].pipeline;
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
}

const CASES = {
  clean: { change: () => undefined },
  model: { change: INSECURE_CHANGES.model },
  platform: { change: INSECURE_CHANGES.platform },
  pipeline: { change: INSECURE_CHANGES.pipeline },
  blanket: {
    change: (dir: string) => {
      INSECURE_CHANGES.model(dir);
      INSECURE_CHANGES.blanketAcknowledgement(dir);
    },
  },
  // One stack selected (not the one with the finding), template printing off: still judged as a whole.
  selected: { change: INSECURE_CHANGES.model, args: ['-q', 'staging/Platform'] },
  noPipeline: {
    change: (dir: string) => {
      withoutPipeline(dir);
      INSECURE_CHANGES.platform(dir);
    },
  },
  reportOnly: { change: INSECURE_CHANGES.model, args: ['--ignore-errors'], env: { MLOPS_REPORT_ONLY: 'true' } },
} satisfies Record<string, Case>;

const runs: Partial<Record<keyof typeof CASES, CliRun & { dir: string }>> = {};

beforeAll(async () => {
  const entries = Object.entries(CASES) as [keyof typeof CASES, Case][];
  await limited(
    2,
    entries.map(([name, c]) => async () => {
      const dir = copyProject();
      c.change(dir);
      runs[name] = { dir, ...(await cdkSynth(dir, c.args ?? [], c.env ?? {})) };
    }),
  );
}, 600_000);

afterAll(removeCopies);

const run = (name: keyof typeof CASES) => runs[name]!;

/** `npm run report` over a case's assembly: its exit code must be the gate's. */
function report(name: keyof typeof CASES): number | null {
  const out = mkdtempSync(join(tmpdir(), 'report-'));
  const { dir } = run(name);
  return spawnSync(
    'npx',
    ['--no-install', 'tsx', 'scripts/report.ts', '--assembly', join(dir, 'cdk.out'), '--out', out],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  ).status;
}

describe('npx cdk synth on the default config (pipeline: environments are stages)', () => {
  test('a clean tree exits 0 with 0 open findings and a closing summary of every stack and pack', () => {
    const { status, output } = run('clean');
    expect(output).toContain('Policy gate: PASS (0 open findings)');
    expect(output).toMatch(/Synthesized 5 stack\(s\) in 2 environment\(s\)/);
    for (const stack of ['Pipeline', 'staging/Platform', 'staging/Model-fraud-xgb', 'production/Platform'])
      expect(output).toMatch(new RegExp(`\\n  ${stack.replace('/', '\\/')}\\s`));
    expect(output).toMatch(/\n {2}MLOPS\s+0\s+0\n/);
    // cdk.json sets "quiet": no pipeline template floods the terminal.
    expect(output).not.toContain('AWSTemplateFormatVersion');
    expect(output.split('\n').length).toBeLessThan(60);
    expect(status).toBe(0);
    expect(report('clean')).toBe(0);
  });

  test('the clean synth is issue 20 accepted: one digest everywhere, gates after every approval, Object Lock', () => {
    expectReleaseAcceptance(join(run('clean').dir, 'cdk.out'), parseConfig(defaultConfigDocument()));
  });

  test('a release record written from the clean synth verifies with `npm run release:verify -- <record>`', () => {
    // GIVEN the production record of an execution of this commit, from the clean copy and its assembly
    const { dir } = run('clean');
    const assembly = join(dir, 'cdk.out');
    const reports = synthReports();
    const now = new Date();
    const record = buildReleaseRecord(
      {
        root: dir,
        assembly,
        reports,
        environment: 'production',
        pipelineName: 'mlops-delivery',
        executionId: EXECUTION,
        commit: 'b'.repeat(40),
      },
      productionHistory(EXECUTION, new Date(now.getTime() - 3_600_000)),
      now,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'release-record-')), 'record.json');
    writeFileSync(file, JSON.stringify(record, null, 2));
    // WHEN the user's command checks it against that checkout and assembly
    const verify = () =>
      spawnSync(
        'npm',
        ['run', 'release:verify', '--', file, '--root', dir, '--assembly', assembly, '--reports', reports, '--strict'],
        { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
      );
    const ok = verify();
    // THEN every item matches, the digest and the approved model card among them, and it exits 0
    expect(ok.stdout).toMatch(/^MATCH +config cdk\.json$/m);
    expect(ok.stdout).toMatch(/^MATCH +image fraud-xgb fraud-xgb@sha256:[a-f0-9]{64}$/m);
    expect(ok.stdout).toMatch(/^MATCH +template assembly-production\/productionPlatform[0-9A-F]+\.template\.json$/m);
    expect(ok.stdout).toMatch(/^MATCH +validation report validation-report\.json$/m);
    expect(ok.stdout).toMatch(/^MATCH +model card mlops-production-fraud-xgb-card \(Approved\)$/m);
    expect(ok.stdout).toMatch(/^9 match, 0 differ, 0 missing$/m);
    expect(ok.status).toBe(0);
    // AND a template changed after the record was written is named, with exit code 1
    const template = record.assembly.templates.find((t) => t.file.includes('productionPlatform'))!.file;
    writeFileSync(join(assembly, template), readFileSync(join(assembly, template), 'utf8').replace('}', ' }'));
    const tampered = verify();
    expect(tampered.stdout).toMatch(new RegExp(`^DIFFERS template ${template.replace(/[.]/g, '\\.')} — recorded`, 'm'));
    expect(tampered.status).toBe(1);
  });

  test('the README states the exit code these tests prove', () => {
    // The sentence is wrapped at 120 characters there: compared with line breaks as spaces.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(
      '`npx cdk synth` exits non-zero when any stack of the cloud assembly — every environment, nested pipeline stages included — has an open finding of any severity from any pack, or an acknowledgement the gate rejects',
    );
  });

  test('fails on an insecure change to a model stack, naming the construct in both environments', () => {
    const { status, output } = run('model');
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at staging/Model-fraud-xgb/Endpoint/Model');
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at production/Model-fraud-xgb/Endpoint/Model');
    expect(output).toContain('network isolation is disabled');
    expect(output).toContain('cdk.out/validation-report.json');
    expect(output).toMatch(/Policy gate: FAIL \(2 open finding/);
    expect(status).not.toBe(0);
  });

  test('fails on an insecure change to a platform stack', () => {
    const { status, output } = run('platform');
    expect(output).toMatch(/\[MLOPS\] MLOPS-ECR-\d+ at staging\/Platform\/Repository-fraudxgb\//);
    expect(output).toMatch(/\[MLOPS\] MLOPS-ECR-\d+ at production\/Platform\//);
    expect(status).not.toBe(0);
  });

  test('fails on an insecure change to the pipeline stack', () => {
    const { status, output } = run('pipeline');
    expect(output).toMatch(
      /\[HIPAA.Security\] HIPAA.Security-SNSEncryptedKMS at Pipeline\/NotificationTopic\/Resource/,
    );
    expect(status).not.toBe(0);
  });

  test('rejects a blanket acknowledgement on the app, naming its file and line, and reopens what it hid', () => {
    const { status, output } = run('blanket');
    expect(output).toMatch(/\[Acknowledgements\] ACK-SCOPE at \(app\) \(bin\/mlops\.ts:\d+\)/);
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at staging/Model-fraud-xgb/Endpoint/Model');
    expect(status).not.toBe(0);
    // The reviewer's report says what the gate said.
    expect(report('blanket')).toBe(1);
  });

  test('fails whatever stack is selected, with -q', () => {
    const { status, output } = run('selected');
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at production/Model-fraud-xgb/Endpoint/Model');
    expect(status).not.toBe(0);
  });

  test('fails without a pipeline block too (environments are plain constructs)', () => {
    const { status, output } = run('noPipeline');
    expect(output).toMatch(/Synthesized 4 stack\(s\) in 2 environment\(s\)/);
    expect(output).toMatch(/\[MLOPS\] MLOPS-ECR-\d+ at staging\/Platform\//);
    expect(status).not.toBe(0);
  });

  test('MLOPS_REPORT_ONLY=true with --ignore-errors is the one report-only mode: prints the failure, exits 0', () => {
    const { status, output } = run('reportOnly');
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at staging/Model-fraud-xgb/Endpoint/Model');
    expect(output).toContain('MLOPS_REPORT_ONLY=true: not failing synth');
    expect(status).toBe(0);
    expect(report('reportOnly')).toBe(1);
  });
});
