/**
 * The synth gate through the user's command on the larger config (`-c config=test/fixtures/large-config.json`:
 * three models, two environments in two regions, a VPC, a pipeline with a cross-region artifact stack): a clean
 * tree passes; insecure changes to a platform, a model and the pipeline stack are each named; a blanket
 * acknowledgement on a stage is rejected.
 */
import { join } from 'node:path';
import { parseConfig } from '../../lib/config/loader';
import { largeConfigDocument } from '../support/app';
import { expectReleaseAcceptance } from '../support/release-acceptance';
import {
  cdkSynth,
  CliRun,
  copyProject,
  INSECURE_CHANGES,
  insertBefore,
  limited,
  removeCopies,
} from '../support/cdk-cli';

const CONFIG = ['-c', 'config=test/fixtures/large-config.json'];

const CASES = {
  clean: () => undefined,
  everyStack: (dir: string) => {
    INSECURE_CHANGES.platform(dir);
    INSECURE_CHANGES.model(dir);
    INSECURE_CHANGES.pipeline(dir);
  },
  stageAcknowledgement: (dir: string) => {
    INSECURE_CHANGES.model(dir);
    // Acknowledged on the production stage (a narrower blanket than the app), through the project's own helper.
    insertBefore(
      dir,
      'bin/mlops.ts',
      /^const assembly = app\.synth\(\);/m,
      "import { acknowledge } from '../lib/nag/acknowledgements';\n" +
        "acknowledge(app.node.findChild('production'), { pack: 'MLOPS', id: 'MLOPS-SM-2', reason: 'Production models reach the feature store through the VPC, reviewed in the architecture board.' });",
    );
  },
} satisfies Record<string, (dir: string) => void>;

const runs: Partial<Record<keyof typeof CASES, CliRun & { dir: string }>> = {};

beforeAll(async () => {
  await limited(
    2,
    (Object.entries(CASES) as [keyof typeof CASES, (dir: string) => void][]).map(([name, change]) => async () => {
      const dir = copyProject();
      change(dir);
      runs[name] = { dir, ...(await cdkSynth(dir, CONFIG)) };
    }),
  );
}, 600_000);

afterAll(removeCopies);

const run = (name: keyof typeof CASES) => runs[name]!;

describe('npx cdk synth -c config=test/fixtures/large-config.json', () => {
  test('a clean tree exits 0 with 0 open findings over every stack', () => {
    const { status, output } = run('clean');
    expect(output).toContain('Policy gate: PASS (0 open findings)');
    // Pipeline, its cross-region artifact stack, and per environment one platform and three model stacks.
    expect(output).toMatch(/Synthesized 10 stack\(s\) in 2 environment\(s\)/);
    expect(status).toBe(0);
  });

  test('the clean synth is issue 20 accepted: one digest everywhere, gates after every approval, Object Lock', () => {
    expectReleaseAcceptance(join(run('clean').dir, 'cdk.out'), parseConfig(largeConfigDocument()));
  });

  test('fails on insecure changes to a platform, a model and the pipeline stack, naming each construct', () => {
    const { status, output } = run('everyStack');
    for (const env of ['staging', 'production']) {
      expect(output).toMatch(new RegExp(`\\[MLOPS\\] MLOPS-ECR-\\d+ at ${env}/Platform/Repository-\\w+/`));
      for (const model of ['credit-scoring', 'fraud-detect', 'churn-propensity'])
        expect(output).toContain(`[MLOPS] MLOPS-SM-2 at ${env}/Model-${model}/Endpoint/Model`);
    }
    expect(output).toMatch(
      /\[HIPAA.Security\] HIPAA.Security-SNSEncryptedKMS at Pipeline\/NotificationTopic\/Resource/,
    );
    expect(output).toMatch(/Policy gate: FAIL/);
    expect(status).not.toBe(0);
  });

  test('rejects an acknowledgement on a whole stage, naming its file and line', () => {
    const { status, output } = run('stageAcknowledgement');
    expect(output).toMatch(/\[Acknowledgements\] ACK-SCOPE at production \(bin\/mlops\.ts:\d+\)/);
    expect(output).toContain('acknowledged on the whole stage production');
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at production/Model-credit-scoring/Endpoint/Model');
    expect(output).toContain('[MLOPS] MLOPS-SM-2 at staging/Model-credit-scoring/Endpoint/Model');
    expect(status).not.toBe(0);
  });
});
