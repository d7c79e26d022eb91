/**
 * Every synthesized CloudFormation template passes cfn-lint with zero errors: the default config (cdk.json) and a
 * larger one (test/fixtures/large-config.json: 3 models, 2 environments, VPC, CANARY and LINEAR rollouts, enhanced
 * scanning). cfn-lint is slow to start, so it runs once, over all templates, in one process.
 * Warnings and informational findings are allowed but printed.
 */
import { assemblyStacks } from '../lib/reports/assembly';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { CfnScalableTarget } from 'aws-cdk-lib/aws-applicationautoscaling';
import { buildApp } from '../lib/app';
import { parseConfig } from '../lib/config/loader';
import { defaultConfigDocument, largeConfigDocument, newApp } from './support/app';

const CFN_LINT_HINT =
  'cfn-lint was not found on PATH. Install it with `pip install cfn-lint` (it checks every synthesized template).';

/** cfn-lint's exit code is a bit mask. */
const EXIT = { ERROR: 2, WARNING: 4, INFORMATIONAL: 8 } as const;

interface Finding {
  Rule: { Id: string; Description?: string };
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Filename: string;
  Location: { Path?: (string | number)[]; Start?: { LineNumber: number } };
}

/**
 * Errors that come from cfn-lint's bundled resource schemas lagging CloudFormation, not from the templates:
 * CloudFormation added `Tags` to these types, aws-cdk-lib's L1 (generated from the CloudFormation registry schema)
 * has them and CDK's Tags aspect writes them, but cfn-lint 1.51.0's schema for the configs' regions does not know
 * them yet (E3002 "'Tags' was unexpected"). (AWS::CloudWatch::Dashboard Tags are known in eu-west-1/eu-central-1
 * but still flagged against cfn-lint's default us-east-1 schema: lint a us-east-1 config and it joins this list.) Each entry names its L1 class, and the test proves the L1 really is taggable, so an entry can
 * only excuse a genuine schema lag. An entry that no longer matches anything is reported: drop it then.
 */
const STALE_SCHEMA_TAGS: readonly { type: string; l1: (scope: Stack) => CfnResource }[] = [
  {
    type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    l1: (s) =>
      new CfnScalableTarget(s, 'Target', {
        minCapacity: 1,
        maxCapacity: 2,
        resourceId: 'endpoint/e/variant/v',
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        serviceNamespace: 'sagemaker',
      }),
  },
];

/**
 * cfn-lint 1.51.0's E3703 validates a CodePipeline action's `Configuration.RoleArn` by running the nested checks on
 * the value and relabelling whatever they say as an E3703 *error*, including I1022's style hint "Prefer using Fn::Sub
 * over Fn::Join with an empty delimiter". CDK Pipelines writes the CloudFormation execution role ARN of each deploy
 * action as `Fn::Join ['', ['arn:', {Ref: AWS::Partition}, ...]]`, a valid ARN. Excused only at that path with that
 * message; the test below proves it is the style hint: the same ARNs rewritten as Fn::Sub lint clean.
 */
const JOIN_STYLE_HINT = 'Prefer using Fn::Sub over Fn::Join with an empty delimiter';
function isJoinStyleHint(finding: Finding): boolean {
  const path = finding.Location.Path ?? [];
  return (
    finding.Rule.Id === 'E3703' &&
    finding.Message === JOIN_STYLE_HINT &&
    path.slice(-2).join('/') === 'Configuration/RoleArn'
  );
}

/** The Fn::Sub equivalent of an Fn::Join with an empty delimiter over strings and Refs. */
function joinToSub(value: unknown): unknown {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join || join[0] !== '') throw new Error(`not an empty-delimiter Fn::Join: ${JSON.stringify(value)}`);
  const parts = join[1].map((part) => {
    if (typeof part === 'string') return part;
    const ref = (part as { Ref?: string }).Ref;
    if (ref === undefined) throw new Error(`cannot rewrite ${JSON.stringify(part)} as Fn::Sub`);
    return `\${${ref}}`;
  });
  return { 'Fn::Sub': parts.join('') };
}

function resourceTypeAt(finding: Finding): string | undefined {
  const [section, logicalId] = finding.Location.Path ?? [];
  if (section !== 'Resources' || typeof logicalId !== 'string') return undefined;
  const template = JSON.parse(readFileSync(finding.Filename, 'utf8')) as {
    Resources: Record<string, { Type: string }>;
  };
  return template.Resources[logicalId]?.Type;
}

function isStaleSchemaTags(finding: Finding): string | undefined {
  if (finding.Rule.Id !== 'E3002' || !/'Tags' was unexpected/.test(finding.Message)) return undefined;
  const type = resourceTypeAt(finding);
  return STALE_SCHEMA_TAGS.some((s) => s.type === type) ? type : undefined;
}

const show = (root: string, f: Finding) =>
  `${f.Level} ${f.Rule.Id} ${relative(root, f.Filename)}:${f.Location.Start?.LineNumber ?? '?'} ${(f.Location.Path ?? []).join('/')}: ${f.Message}`;

describe('cfn-lint over every synthesized template', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlops-cfn-lint-'));
  const configs = { default: defaultConfigDocument(), large: largeConfigDocument() };
  const files: Record<string, string[]> = {};
  let findings: Finding[] = [];
  let exitCode: number | null = null;
  const timings: Record<string, number> = {};

  beforeAll(() => {
    // GIVEN both configs synthesized (feature flags from cdk.json; policy packs off: the nag tests cover them)
    const regions = new Set<string>();
    for (const [name, doc] of Object.entries(configs)) {
      const t = Date.now();
      const outdir = join(root, name);
      const config = parseConfig(doc, name);
      config.environments.forEach((e) => regions.add(e.region));
      const app = newApp(outdir);
      buildApp(app, config, { policyPacks: false });
      app.synth();
      files[name] = assemblyStacks(outdir)
        .map((s) => join(outdir, s.templatePath))
        .sort();
      timings[`synth ${name}`] = Date.now() - t;
    }

    // WHEN cfn-lint checks them all at once, against the regions the configs deploy to
    const t = Date.now();
    const all = Object.values(files).flat();
    const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', ...regions, '--', ...all], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    timings.cfnLint = Date.now() - t;
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(CFN_LINT_HINT);
    if (run.error) throw run.error;
    exitCode = run.status;
    try {
      findings = JSON.parse(run.stdout || '[]') as Finding[];
    } catch {
      throw new Error(
        `cfn-lint (exit ${run.status}) did not print JSON:\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`,
      );
    }
    if (exitCode === null || exitCode === 1 || exitCode > 15) {
      throw new Error(
        `cfn-lint failed to run (exit ${String(exitCode)}, signal ${String(run.signal)}):\n${run.stderr.slice(0, 2000)}`,
      );
    }
    const notes = findings.filter((f) => f.Level !== 'Error' || isStaleSchemaTags(f));
    console.log(
      `cfn-lint over ${all.length} templates, exit ${exitCode}, timings (ms) ${JSON.stringify(timings)}\n` +
        `warnings, informational and excused stale-schema errors (${notes.length}):\n${notes.map((f) => show(root, f)).join('\n') || '(none)'}`,
    );
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('lints the templates of every stack, including those in nested assembly directories', () => {
    expect(files.default!.length).toBeGreaterThanOrEqual(4); // 2 environments x (platform + 1 model)
    expect(files.large!.length).toBeGreaterThanOrEqual(8); // 2 environments x (platform + 3 models)
    // The exit code agrees with the parsed findings (so nothing was lost in parsing).
    expect(Boolean(exitCode! & EXIT.ERROR)).toBe(findings.some((f) => f.Level === 'Error'));
    expect(Boolean(exitCode! & EXIT.WARNING)).toBe(findings.some((f) => f.Level === 'Warning'));
    expect(Boolean(exitCode! & EXIT.INFORMATIONAL)).toBe(findings.some((f) => f.Level === 'Informational'));
  });

  test.each(Object.keys(configs))('the %s config synthesizes templates with zero cfn-lint errors', (name) => {
    const mine = new Set(files[name]);
    const errors = findings.filter(
      (f) => mine.has(f.Filename) && f.Level === 'Error' && !isStaleSchemaTags(f) && !isJoinStyleHint(f),
    );
    expect(errors.map((f) => show(root, f))).toEqual([]);
  });

  test('every excused E3703 is the Fn::Join style hint: the same role ARNs written as Fn::Sub lint clean', () => {
    // GIVEN the templates with excused E3703 findings, rewritten at exactly those paths
    const excused = findings.filter(isJoinStyleHint);
    const rewritten = join(root, 'join-to-sub');
    mkdirSync(rewritten, { recursive: true });
    const files = [...new Set(excused.map((f) => f.Filename))].map((file, i) => {
      const template = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const f of excused.filter((x) => x.Filename === file)) {
        const path = f.Location.Path!;
        type Node = Record<string | number, unknown>;
        const parent = path.slice(0, -1).reduce<Node>((node, key) => node[key] as Node, template);
        const key = path[path.length - 1]!;
        parent[key] = joinToSub(parent[key]);
      }
      const out = join(rewritten, `${i}.template.json`);
      writeFileSync(out, JSON.stringify(template));
      return out;
    });
    if (files.length === 0) {
      console.warn('cfn-lint no longer reports the Fn::Join style hint as E3703: remove JOIN_STYLE_HINT');
      return;
    }
    // WHEN cfn-lint checks the rewritten copies
    const run = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const after = JSON.parse(run.stdout || '[]') as Finding[];
    // THEN no E3703 remains
    expect(after.filter((f) => f.Rule.Id === 'E3703').map((f) => show(root, f))).toEqual([]);
  });

  test('every stale-schema excuse is a type whose CDK L1 really carries Tags', () => {
    for (const entry of STALE_SCHEMA_TAGS) {
      const resource = entry.l1(new Stack());
      expect({
        type: resource.cfnResourceType,
        taggable: TagManager.isTaggableV2(resource) || TagManager.isTaggable(resource),
      }).toEqual({ type: entry.type, taggable: true });
    }
    const used = new Set(findings.map(isStaleSchemaTags).filter((t): t is string => t !== undefined));
    const unused = STALE_SCHEMA_TAGS.map((s) => s.type).filter((t) => !used.has(t));
    if (unused.length > 0)
      console.warn(`cfn-lint no longer flags Tags on ${unused.join(', ')}: remove them from STALE_SCHEMA_TAGS`);
  });
});
