import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, compliancePolicy, loadConfig, loadConfigArgument, parseConfig } from '../../lib/config/loader';
import { problemsOf } from '../support/config-problems';
import { defaultConfigDocument } from '../support/app';

/** A deep copy of the embedded default config, edited by `edit`. */
function withEdit(edit: (doc: any) => void): unknown {
  const doc = structuredClone(defaultConfigDocument());
  edit(doc);
  return doc;
}

describe('config', () => {
  test('the embedded default config is valid and fills defaults', () => {
    // WHEN
    const cfg = parseConfig(defaultConfigDocument());
    // THEN
    expect(cfg.environments.map((e) => e.name)).toEqual(['staging', 'production']);
    expect(cfg.models[0]?.monitoring.thresholds.psi).toBe(0.2);
    expect(cfg.models[0]?.rollout.terminationWaitSeconds).toBe(600);
    expect(cfg.compliance.dataClassifications).toContain('confidential');
  });

  test('rejects a region outside the allowed regions (data residency)', () => {
    const problems = problemsOf(withEdit((d) => (d.environments[0].region = 'us-east-1')));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'environments[0].region',
        received: 'us-east-1',
        message: expect.stringMatching(/allowedRegions \[eu-west-1, eu-central-1\].*residency/),
      }),
    ]);
  });

  test('rejects every bad field at once, naming path, value and what is allowed', () => {
    // GIVEN three independent field errors
    const doc = withEdit((d) => {
      d.environments[0].account = '123';
      d.models[0].rollout.stepPercent = 80;
      d.models[0].image.tag = 'latest';
    });
    // WHEN
    const problems = problemsOf(doc);
    // THEN all three are reported together
    expect(problems.map((p) => p.path).sort()).toEqual([
      'environments[0].account',
      'models[0].image.tag',
      'models[0].rollout.stepPercent',
    ]);
    expect(problems.find((p) => p.path === 'models[0].rollout.stepPercent')).toMatchObject({
      received: 80,
      message: expect.stringMatching(/50/),
    });
    expect(problems.find((p) => p.path === 'models[0].image.tag')?.message).toMatch(/immutable/);
  });

  test('rejects unknown keys (typos never pass silently), at the key, with the closest known one', () => {
    const problems = problemsOf(withEdit((d) => (d.models[0].instanceTyp = 'ml.m5.large')));
    expect(problems[0]).toMatchObject({
      path: 'models[0].instanceTyp',
      received: 'ml.m5.large',
      message: expect.stringMatching(/unknown field; did you mean "instanceType"\?/),
    });
  });

  test('rejects a sampling percent above the policy maximum (data minimisation)', () => {
    const problems = problemsOf(withEdit((d) => (d.models[0].dataCapture.samplingPercent = 50)));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'models[0].dataCapture.samplingPercent',
        received: 50,
        message: expect.stringMatching(/<= compliance.maxCaptureSamplingPercent \(20\)/),
      }),
    ]);
  });

  test('rejects cross-field mistakes: duplicate names, bounds, sensitive attribute, missing tags, classification', () => {
    const doc = withEdit((d) => {
      d.models.push(structuredClone(d.models[0]));
      d.models[0].autoScaling = { minCapacity: 3, maxCapacity: 2 };
      d.models[0].monitoring.sensitiveAttribute = 'age';
      d.models[0].dataClassification = 'secret';
      delete d.tags.CostCenter;
    });
    const paths = problemsOf(doc).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'models[1].name',
        'models[0].autoScaling.minCapacity',
        'models[0].instanceCount',
        'models[0].monitoring.sensitiveAttribute',
        'models[0].dataClassification',
        'tags',
      ]),
    );
  });

  test('rejects requireVpc without a VPC on an environment', () => {
    const problems = problemsOf(withEdit((d) => (d.compliance.requireVpc = true)));
    expect(problems.map((p) => p.path)).toEqual(['environments[0].vpc', 'environments[1].vpc']);
  });

  test('loads a file given with -c config=path, and reports an unreadable one', () => {
    const app = {
      node: { tryGetContext: (k: string) => (k === 'config' ? 'test/fixtures/large-config.json' : undefined) },
    };
    expect(loadConfig(app).models.length).toBe(3);
    const missing = { node: { tryGetContext: (k: string) => (k === 'config' ? 'nope.json' : undefined) } };
    expect(() => loadConfig(missing)).toThrow(/cannot read the config file/);
  });

  test('derives the policy: DataClassification always required, production environments listed', () => {
    const policy = compliancePolicy(parseConfig(defaultConfigDocument()));
    expect(policy.requiredTags).toEqual(['Owner', 'CostCenter', 'DataClassification']);
    expect(policy.productionEnvironments).toEqual(['production']);
  });
});

describe("loadConfigArgument: what every command's --config reads", () => {
  const ROOT = join(__dirname, '..', '..');

  test('takes a config file, a cdk.json (its embedded config), or nothing (the project cdk.json)', () => {
    // GIVEN the default config as a file of its own
    const dir = mkdtempSync(join(tmpdir(), 'config-arg-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(defaultConfigDocument()));
    // THEN all three give the same config
    const names = (file?: string) =>
      loadConfigArgument(file, { cwd: ROOT, readBaselines: false }).environments.map((e) => e.name);
    expect(names(join(dir, 'config.json'))).toEqual(['staging', 'production']);
    expect(names('cdk.json')).toEqual(['staging', 'production']);
    expect(names()).toEqual(['staging', 'production']);
  });

  test('rejects an unreadable file and a cdk.json without an embedded config, naming the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-arg-'));
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: {} }));
    expect(() => loadConfigArgument(join(dir, 'nope.json'))).toThrow(ConfigError);
    expect(() => loadConfigArgument(join(dir, 'cdk.json'))).toThrow(/no embedded config: pass --config/);
  });
});
