/**
 * A corpus of config mistakes a new user makes, each of which must be reported at the exact field path, with the
 * value received and a fix, all problems of a document in one run, baseline files and derived names included.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigProblem, ParseOptions, parseConfig } from '../../lib/config/loader';
import { didYouMean } from '../../lib/config/did-you-mean';
import { defaultConfigDocument } from '../support/app';

const ROOT = join(__dirname, '..', '..');
// Baseline files must lie in the project: the broken ones of the corpus go to its ignored .tmp/ folder.
mkdirSync(join(ROOT, '.tmp'), { recursive: true });
const TMP = mkdtempSync(join(ROOT, '.tmp', 'bad-config-'));
const file = (name: string, text: string) => {
  const p = join(TMP, name);
  writeFileSync(p, text);
  return p;
};

function problemsOf(doc: unknown, opts: ParseOptions = { baseDir: ROOT }): ConfigProblem[] {
  try {
    parseConfig(doc, 'test', opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
    return [...err.problems];
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

function edited(edit: (doc: any) => void): unknown {
  const doc = structuredClone(defaultConfigDocument()) as any;
  edit(doc);
  return doc;
}

/** name, the edit, and the path (and optionally message pattern) that must be reported. */
const CORPUS: [string, (d: any) => void, string, RegExp?][] = [
  [
    'typo in a model key',
    (d) => (d.models[0].instanceTyp = 'ml.m5.large'),
    'models[0].instanceTyp',
    /did you mean "instanceType"/,
  ],
  [
    'README field name modelDataUrl',
    (d) => (d.models[0].modelDataUrl = 's3://b/m.tar.gz'),
    'models[0].modelDataUrl',
    /did you mean "modelDataKey"/,
  ],
  ['typo in a top-level key', (d) => (d.projectname = 'x'), 'projectname', /did you mean "projectName"/],
  [
    'typo in an environment key',
    (d) => (d.environments[0].configRule = true),
    'environments[0].configRule',
    /did you mean "configRules"/,
  ],
  [
    'typo in a threshold',
    (d) => (d.models[0].monitoring.thresholds = { minSample: 10 }),
    'models[0].monitoring.thresholds.minSample',
    /did you mean "minSamples"/,
  ],
  ['unknown key far from any', (d) => (d.models[0].zzzzzz = 1), 'models[0].zzzzzz', /unknown field \(known fields: /],
  ['account too short', (d) => (d.environments[0].account = '123'), 'environments[0].account', /12-digit/],
  ['account as a number', (d) => (d.environments[0].account = 111111111111), 'environments[0].account'],
  ['region not a region', (d) => (d.environments[0].region = 'Ireland'), 'environments[0].region', /region code/],
  [
    'region outside residency',
    (d) => (d.environments[1].region = 'us-east-1'),
    'environments[1].region',
    /data residency/,
  ],
  ['stepPercent too big', (d) => (d.models[0].rollout.stepPercent = 80), 'models[0].rollout.stepPercent', /<=50/],
  [
    'unknown rollout strategy',
    (d) => (d.models[0].rollout.strategy = 'BLUE_GREEN'),
    'models[0].rollout.strategy',
    /CANARY/,
  ],
  ['latest tag', (d) => (d.models[0].image.tag = 'latest'), 'models[0].image.tag', /immutable/],
  ['missing image', (d) => delete d.models[0].image, 'models[0].image', /is required/],
  ['missing projectName', (d) => delete d.projectName, 'projectName', /is required/],
  ['uppercase projectName', (d) => (d.projectName = 'MLOps'), 'projectName', /lowercase/],
  ['empty models', (d) => (d.models = []), 'models'],
  [
    'sampling above policy',
    (d) => (d.models[0].dataCapture.samplingPercent = 50),
    'models[0].dataCapture.samplingPercent',
    /maxCaptureSamplingPercent \(20\)/,
  ],
  [
    'capture without input or output',
    (d) => Object.assign(d.models[0].dataCapture, { captureInput: false, captureOutput: false }),
    'models[0].dataCapture',
    /neither input nor output/,
  ],
  [
    'sensitive attribute not a feature',
    (d) => (d.models[0].monitoring.sensitiveAttribute = 'age'),
    'models[0].monitoring.sensitiveAttribute',
    /\[amount, merchant_category/,
  ],
  ['required tag missing', (d) => delete d.tags.CostCenter, 'tags', /missing: CostCenter/],
  [
    'classification not allowed',
    (d) => (d.models[0].dataClassification = 'secret'),
    'models[0].dataClassification',
    /one of compliance.dataClassifications/,
  ],
  [
    'duplicate model name',
    (d) => d.models.push(structuredClone(d.models[0])),
    'models[1].name',
    /already used by models\[0\]/,
  ],
  [
    'duplicate environment name',
    (d) => (d.environments[1].name = 'staging'),
    'environments[1].name',
    /already used by environments\[0\]/,
  ],
  [
    'duplicate feature',
    (d) => d.models[0].monitoring.features.push({ name: 'amount', type: 'numeric' }),
    'models[0].monitoring.features[4].name',
    /already used by models\[0\].monitoring.features\[0\]/,
  ],
  [
    'autoscaling min above max',
    (d) => (d.models[0].autoScaling = { minCapacity: 5, maxCapacity: 3 }),
    'models[0].autoScaling.minCapacity',
    /<= autoScaling.maxCapacity \(3\)/,
  ],
  [
    'canary on one instance',
    (d) => {
      d.models[0].instanceCount = 1;
      delete d.models[0].autoScaling;
    },
    'models[0].instanceCount',
    /at least 2 instances/,
  ],
  ['requireVpc without vpc', (d) => (d.compliance.requireVpc = true), 'environments[0].vpc', /vpc.subnetIds/],
  [
    'capture on, no baseline',
    (d) => delete d.models[0].monitoring.baselineFile,
    'models[0].monitoring.baselineFile',
    /npm run baseline/,
  ],
  [
    'baseline file missing',
    (d) => (d.models[0].monitoring.baselineFile = 'baselines/nope.json'),
    'models[0].monitoring.baselineFile',
    /does not exist; build it with `npm run baseline -- --config <config> --model fraud-xgb/,
  ],
  [
    'baseline file not JSON',
    (d) => (d.models[0].monitoring.baselineFile = file('broken.json', '{"kind":')),
    'models[0].monitoring.baselineFile',
    /is not valid JSON/,
  ],
  [
    'baseline file of another kind',
    (d) => (d.models[0].monitoring.baselineFile = file('other.json', '{"kind":"x","features":[]}')),
    'models[0].monitoring.baselineFile',
    /is not a drift baseline \(its "kind" is not "mlops\.drift-baseline"\)/,
  ],
  [
    'baseline for other features',
    (d) => d.models[0].monitoring.features.push({ name: 'income', type: 'numeric' }),
    'models[0].monitoring.baselineFile',
    /"income" \(numeric\) is missing from baselineFile/,
  ],
  [
    'baseline with a type mismatch',
    (d) => (d.models[0].monitoring.features[0].type = 'categorical'),
    'models[0].monitoring.baselineFile',
    /"amount" \(categorical\) is numeric in baselineFile/,
  ],
  [
    'two environments in one account and region',
    (d) => (d.environments[1].account = d.environments[0].account),
    'environments[1].account',
    /environments\[1\] \("production"\) and environments\[0\] both deploy to account 111111111111 in eu-west-1: .* give each environment its own account or region/,
  ],
  [
    'baseline file outside the project',
    (d) => (d.models[0].monitoring.baselineFile = '../outside.json'),
    'models[0].monitoring.baselineFile',
    /is outside the project directory .*: baseline files are read only from there; .* set MLOPS_BASELINE_ROOT/,
  ],
  [
    'bucket name too long',
    (d) => (d.projectName = 'a-very-long-project-name-for-buc'),
    'projectName',
    /bucket name .* S3 allows 63: shorten projectName or environments\[\d\].name by \d+/,
  ],
  [
    'endpoint-derived name too long',
    (d) =>
      Object.assign(d, {
        projectName: 'a-long-project-name',
        models: [{ ...d.models[0], name: 'fraud-detection-gradient-boosted' }],
      }),
    'models[0].name',
    /model card .* SageMaker allows 63/,
  ],
  [
    'threshold of wrong type',
    (d) => (d.models[0].monitoring.thresholds = { psi: '0.2' }),
    'models[0].monitoring.thresholds.psi',
    /expected number/,
  ],
  [
    'minGroupSize zero',
    (d) => (d.models[0].monitoring.thresholds = { minGroupSize: 0 }),
    'models[0].monitoring.thresholds.minGroupSize',
  ],
  [
    'windowMaxAgeHours too long',
    (d) => (d.models[0].monitoring.thresholds = { windowMaxAgeHours: 10000 }),
    'models[0].monitoring.thresholds.windowMaxAgeHours',
  ],
  [
    'feature type unknown',
    (d) => (d.models[0].monitoring.features[1].type = 'text'),
    'models[0].monitoring.features[1].type',
  ],
  [
    'vpc with bad subnet ids',
    (d) => (d.environments[0].vpc = { subnetIds: ['subnet-x'], securityGroupIds: ['sg-0123456789abcdef0'] }),
    'environments[0].vpc.subnetIds[0]',
    /subnet-<hex id>/,
  ],
  ['alarm e-mail malformed', (d) => (d.alarmEmail = 'oncall'), 'alarmEmail'],
  [
    'quality problem type unknown',
    (d) => (d.models[0].monitoring.quality = { problemType: 'multiclass' }),
    'models[0].monitoring.quality.problemType',
  ],
  [
    'quality reference metric misspelt',
    (d) => (d.models[0].monitoring.quality = { reference: { auc: 0.9 } }),
    'models[0].monitoring.quality.reference.auc',
    /did you mean "rocAuc"|unknown field/,
  ],
  [
    'quality reference of another problem type',
    (d) => (d.models[0].monitoring.quality = { problemType: 'regression', reference: { accuracy: 0.9 } }),
    'models[0].monitoring.quality.reference.accuracy',
    /not a metric of a regression model; use mae, rmse, r2/,
  ],
  [
    'quality negative label equal to the positive one',
    (d) => (d.models[0].monitoring.quality = { negativeLabel: 1 }),
    'models[0].monitoring.quality.negativeLabel',
    /must differ from monitoring.positiveLabel/,
  ],
  [
    'quality minLabelled of one',
    (d) => (d.models[0].monitoring.quality = { minLabelled: 1 }),
    'models[0].monitoring.quality.minLabelled',
  ],
  [
    'quality fairness limit above 1',
    (d) => (d.models[0].monitoring.quality = { fairnessMax: { equalizedOddsDifference: 2 } }),
    'models[0].monitoring.quality.fairnessMax.equalizedOddsDifference',
  ],
];

describe('bad configs: each mistake is reported at its field', () => {
  it.each(CORPUS.map(([name, edit, path, message]) => ({ name, edit, path, message })))(
    '$name',
    ({ edit, path, message }) => {
      // WHEN a config with this one mistake is parsed
      const problems = problemsOf(edited(edit));
      // THEN the mistake is named at its path, with a message saying what is allowed
      const hit = problems.find((p) => p.path === path);
      expect({ path, problems }).toEqual({
        path,
        problems: expect.arrayContaining([expect.objectContaining({ path })]),
      });
      if (message) expect(hit!.message).toMatch(message);
    },
  );

  it('rejects every case of the corpus with its field path', () => {
    const rejected = CORPUS.filter(([, edit, path]) => problemsOf(edited(edit)).some((p) => p.path === path));
    // Printed for the issue's measure: cases rejected with their field path out of cases tried.
    process.stdout.write(`bad-config corpus: ${rejected.length}/${CORPUS.length} rejected with field path\n`);
    expect(rejected.length).toBe(CORPUS.length);
  });
});

describe('baseline files: read only inside the project or the allowed root, never echoed', () => {
  it('rejects /etc/passwd without opening it: nothing of its content reaches the message', () => {
    // GIVEN a baseline file outside the project
    const problems = problemsOf(edited((d) => (d.models[0].monitoring.baselineFile = '/etc/passwd')));
    // THEN it is refused at its field, and the message names the path and the fix, no byte of the file
    const hit = problems.find((p) => p.path === 'models[0].monitoring.baselineFile');
    expect(hit).toEqual(
      expect.objectContaining({ received: '/etc/passwd', message: expect.stringMatching(/is outside the project/) }),
    );
    expect(JSON.stringify(problems)).not.toMatch(/root:|bin\/(ba)?sh/);
  });

  it('never echoes the bytes of a file inside the project that is not JSON', () => {
    // GIVEN a text file where a baseline is expected
    const secret = file('secret.txt', 'token=s3cr3t-value\n');
    // WHEN parsed THEN "not valid JSON" with the path, and nothing of the content
    const problems = problemsOf(edited((d) => (d.models[0].monitoring.baselineFile = secret)));
    expect(JSON.stringify(problems)).toMatch(/is not valid JSON/);
    expect(JSON.stringify(problems)).not.toMatch(/token|s3cr3t/);
  });

  it('reads a baseline under an explicitly allowed root (baselineRoot, MLOPS_BASELINE_ROOT for the loaders)', () => {
    // GIVEN a baseline file outside the project, in a folder allowed explicitly
    const shared = mkdtempSync(join(tmpdir(), 'baselines-'));
    writeFileSync(join(shared, 'b.json'), '{"kind":');
    const doc = edited((d) => (d.models[0].monitoring.baselineFile = join(shared, 'b.json')));
    // THEN without the root it is refused; with it, it is read (and judged: here, not JSON)
    expect(problemsOf(doc)[0]!.message).toMatch(/is outside the project/);
    expect(problemsOf(doc, { baseDir: ROOT, baselineRoot: shared })[0]!.message).toMatch(/is not valid JSON/);
  });
});

describe('every problem of a document in one run', () => {
  it('lists schema errors and cross-field errors together (the README example)', () => {
    // GIVEN a schema error (stepPercent) and four cross-field errors in other fields
    const problems = problemsOf(
      edited((d) => {
        d.environments[0].region = 'us-east-1';
        d.models[0].rollout.stepPercent = 80;
        d.models[0].dataCapture.samplingPercent = 50;
        d.models[0].monitoring.sensitiveAttribute = 'age';
        delete d.tags.Owner;
      }),
    );
    // THEN all five are reported at once
    expect(problems.map((p) => p.path).sort()).toEqual([
      'environments[0].region',
      'models[0].dataCapture.samplingPercent',
      'models[0].monitoring.sensitiveAttribute',
      'models[0].rollout.stepPercent',
      'tags',
    ]);
  });

  it('formats each problem with path, message and the value received', () => {
    let message = '';
    try {
      parseConfig(
        edited((d) => (d.models[0].rollout.stepPercent = 80)),
        'my.json',
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'Invalid MLOps config (my.json): 1 problem(s)\n' +
        '  - models[0].rollout.stepPercent: Too big: expected number to be <=50 (received 80)',
    );
  });

  it('does not judge against defaults of a missing required section', () => {
    // GIVEN a document without compliance (required) and without tags
    const problems = problemsOf(edited((d) => (delete d.compliance, delete d.tags)));
    // THEN the missing section is named, and no rule runs against compliance defaults the user never chose
    expect(problems.map((p) => p.path)).toEqual(['compliance']);
    expect(problems[0]!.message).toBe('is required (expected object)');
  });

  it('rejects a document that is not an object, at the root', () => {
    expect(problemsOf([1, 2])).toEqual([expect.objectContaining({ path: '', received: [1, 2] })]);
  });
});

describe('didYouMean', () => {
  it('suggests only plausible typos', () => {
    expect(didYouMean('modelDataUrl', ['modelDataKey', 'monitoring'])).toBe('modelDataKey');
    expect(didYouMean('Tags', ['tags', 'models'])).toBe('tags');
    expect(didYouMean('foo', ['projectName', 'models'])).toBeUndefined();
  });
});
