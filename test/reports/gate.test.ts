/**
 * The synth gate over a small app with a stage (as the pipeline nests environments) and a plugin that reports what
 * each test asks for. The same gate runs through the real `cdk` CLI in test/bin/synth-gate-*.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { clearGateFiles, enforcePolicyGate, GateResult } from '../../lib/reports/gate';
import { GATE_FILE, GateDocument, loadSecurityReport } from '../../lib/reports/validation-report';
import { testContext } from '../support/app';

/** Flags every SNS topic whose construct id starts with `Bad` (rule `TEST-1`), at the severity given. */
class TopicPlugin implements IPolicyValidationPlugin {
  readonly name = 'TestPack';
  constructor(
    private readonly severity: 'error' | 'warning' | 'info' | 'none' = 'error',
    private readonly crash = false,
  ) {}
  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    if (this.crash) throw new Error('plugin crashed');
    const root = (context as unknown as { appConstruct: IConstruct }).appConstruct;
    const bad = root.node
      .findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.node.scope!.node.id.startsWith('Bad'));
    if (bad.length === 0 || this.severity === 'none') return { success: true, violations: [] };
    return {
      success: this.severity !== 'error',
      violations: [
        {
          ruleName: 'TEST-1',
          description: 'Topics named Bad are insecure. More detail that the summary line leaves out.',
          severity: this.severity,
          violatingResources: bad.map((r) => ({ constructPath: r.node.path, locations: ['Properties'] })),
        },
      ],
    };
  }
}

const GOOD_REASON =
  'The topic carries only build status messages with no customer data, so the control adds nothing here.';

/** An app with the environment as a Stage, like the pipeline builds it: `staging/Service/{Good,Bad}Topic`. */
function stagedApp(plugin: IPolicyValidationPlugin, withBad = true) {
  // As the CDK CLI runs an app: the CLI reports validation failures, so synth does not throw on them.
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'gate-')),
    context: { ...testContext(), '@aws-cdk/core:failSynthOnValidationErrors': false },
    builtinCloudFormationValidation: false,
  });
  clearGateFiles(app.outdir);
  Validations.of(app).addPlugins(plugin);
  const stage = new Stage(app, 'staging');
  const stack = new Stack(stage, 'Service', { env: { account: '111111111111', region: 'eu-west-1' } });
  new sns.Topic(stack, 'GoodTopic');
  const bad = withBad ? new sns.Topic(stack, 'BadTopic') : undefined;
  new Stack(app, 'Tooling', { env: { account: '999999999999', region: 'eu-west-1' } });
  return { app, stage, stack, bad };
}

function gate(app: App, env: NodeJS.ProcessEnv = {}): GateResult & { printed: string } {
  const lines: string[] = [];
  const assembly = app.synth();
  const result = enforcePolicyGate(app, assembly, { env, print: (l) => lines.push(l), baseDir: app.outdir });
  return { ...result, printed: lines.join('\n') };
}

const gateFile = (app: App) => JSON.parse(readFileSync(join(app.outdir, GATE_FILE), 'utf8')) as GateDocument;

describe('policy gate over the whole assembly', () => {
  test('fails on an error in a stack nested in a stage, printing pack, finding, construct, why and the report path', () => {
    // GIVEN a finding in a stage stack (where the CDK CLI never looks)
    const { app } = stagedApp(new TopicPlugin('error'));
    // WHEN
    const result = gate(app);
    // THEN
    expect(result.exitCode).toBe(1);
    expect(result.printed).toContain('[TestPack] TEST-1 at staging/Service/BadTopic/Resource');
    expect(result.printed).toContain('Topics named Bad are insecure.');
    expect(result.printed).not.toContain('More detail');
    expect(result.printed).toContain('validation-report.json');
    expect(result.printed).toMatch(/Policy gate: FAIL \(1 open finding/);
    expect(gateFile(app)).toMatchObject({ verdict: 'fail', open: 1, reportOnly: false });
  });

  test.each(['warning', 'info'] as const)('fails on an open %s of a pack too', (severity) => {
    const { app } = stagedApp(new TopicPlugin(severity));
    expect(gate(app).exitCode).toBe(1);
  });

  test('passes a clean app, listing every stack with its environment group and the per-pack counts', () => {
    // GIVEN
    const { app } = stagedApp(new TopicPlugin('error'), false);
    // WHEN
    const result = gate(app);
    // THEN
    expect(result.exitCode).toBe(0);
    expect(result.printed).toMatch(/Synthesized 2 stack\(s\) in 1 environment\(s\) \(staging\)/);
    expect(result.printed).toMatch(/staging\/Service\s+staging-Service\s+111111111111\/eu-west-1/);
    expect(result.printed).toMatch(/Tooling\s+Tooling\s+999999999999\/eu-west-1/);
    expect(result.printed).toContain('Policy gate: PASS (0 open findings)');
    expect(gateFile(app).stacks.map((s) => [s.displayName, s.group])).toEqual([
      ['Tooling', ''],
      ['staging/Service', 'staging'],
    ]);
  });

  test('report-only mode (MLOPS_REPORT_ONLY=true) writes and prints the failure but exits 0', () => {
    const { app } = stagedApp(new TopicPlugin('error'));
    const result = gate(app, { MLOPS_REPORT_ONLY: 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.printed).toContain('MLOPS_REPORT_ONLY=true: not failing synth');
    expect(gateFile(app)).toMatchObject({ verdict: 'fail', reportOnly: true });
  });

  test('fails when a pack crashes without reporting a finding', () => {
    const { app } = stagedApp(new TopicPlugin('error', true));
    const result = gate(app);
    expect(result.exitCode).toBe(1);
    expect(result.failedPacks).toEqual(['TestPack']);
  });
});

describe('acknowledgements are bounded at synth', () => {
  test('a narrow acknowledgement with a real reason passes and is listed with scope, reason and what it removed', () => {
    // GIVEN
    const { app, bad } = stagedApp(new TopicPlugin('error'));
    Validations.of(bad!).acknowledge({ id: 'TestPack::TEST-1', reason: GOOD_REASON });
    // WHEN
    const result = gate(app);
    // THEN
    expect(result.exitCode).toBe(0);
    expect(gateFile(app).acknowledgements).toEqual([
      expect.objectContaining({
        id: 'TestPack::TEST-1',
        scope: 'staging/Service/BadTopic',
        scopeKind: 'construct',
        reason: GOOD_REASON,
        removed: ['staging/Service/BadTopic/Resource'],
        problems: [],
        source: expect.objectContaining({ file: expect.stringMatching(/gate\.test\.ts$/) }),
      }),
    ]);
  });

  test.each([
    ['the app', (s: ReturnType<typeof stagedApp>) => s.app, 'app'],
    ['a stage', (s: ReturnType<typeof stagedApp>) => s.stage, 'stage'],
    ['a whole stack', (s: ReturnType<typeof stagedApp>) => s.stack, 'stack'],
  ])('rejects an acknowledgement on %s and reopens what it removed', (_name, scopeOf, kind) => {
    // GIVEN a blanket acknowledgement with an otherwise good reason
    const setup = stagedApp(new TopicPlugin('error'));
    Validations.of(scopeOf(setup)).acknowledge({ id: 'TestPack::TEST-1', reason: GOOD_REASON });
    // WHEN
    const result = gate(setup.app);
    // THEN the audit names the acknowledgement with file and line, and the finding counts as open again
    expect(result.exitCode).toBe(1);
    expect(result.printed).toMatch(/\[Acknowledgements\] ACK-SCOPE at .* \(.*gate\.test\.ts:\d+\)/);
    expect(result.printed).toContain(`acknowledged on the whole ${kind}`);
    expect(result.open.map((f) => `${f.pack} ${f.findingId} ${f.constructPath}`)).toEqual(
      expect.arrayContaining(['TestPack TEST-1 staging/Service/BadTopic/Resource']),
    );
    expect(gateFile(setup.app).acknowledgements[0]).toMatchObject({
      scopeKind: kind,
      problems: [{ rule: 'ACK-SCOPE' }],
    });
  });

  test('rejects a reason shorter than a sentence', () => {
    const { app, bad } = stagedApp(new TopicPlugin('error'));
    Validations.of(bad!).acknowledge({ id: 'TestPack::TEST-1', reason: 'x' });
    const result = gate(app);
    expect(result.exitCode).toBe(1);
    expect(result.printed).toContain('ACK-REASON at staging/Service/BadTopic');
    // The reports see the same verdict: the finding is open again there too.
    const report = loadSecurityReport(app.outdir);
    expect(report.findings.filter((f) => f.status === 'open').map((f) => f.findingId)).toEqual(
      expect.arrayContaining(['ACK-REASON', 'TEST-1']),
    );
  });

  test('rejects one reason repeated verbatim across unrelated rules, not across packs of the same rule', () => {
    // GIVEN the same reason for TEST-1 on the topic and for an unrelated rule on another construct, and one reason
    // shared by the same control in two packs (LambdaInsideVPC), which is allowed
    const { app, bad, stack } = stagedApp(new TopicPlugin('error'));
    Validations.of(bad!).acknowledge({ id: 'TestPack::TEST-1', reason: GOOD_REASON });
    const other = new sns.Topic(stack, 'OtherTopic');
    Validations.of(other).acknowledge({ id: 'TestPack::OTHER-9', reason: `  ${GOOD_REASON.toUpperCase()} ` });
    const shared = 'Runs outside a VPC because it only calls AWS APIs over TLS with no private endpoints needed.';
    Validations.of(other).acknowledge(
      { id: 'HIPAA.Security::HIPAA.Security-LambdaInsideVPC', reason: shared },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC', reason: shared },
    );
    // WHEN
    const acks = gateFile((gate(app), app)).acknowledgements;
    // THEN
    const rules = (id: string) => acks.find((a) => a.id === id)!.problems.map((p) => p.rule);
    expect(rules('TestPack::TEST-1')).toEqual(['ACK-REUSED']);
    expect(rules('TestPack::OTHER-9')).toEqual(['ACK-REUSED', 'ACK-UNUSED']);
    expect(rules('HIPAA.Security::HIPAA.Security-LambdaInsideVPC')).toEqual(['ACK-UNUSED']);
  });

  test('rejects an acknowledgement that removes no finding, and explains a missing pack namespace', () => {
    const { app, stack } = stagedApp(new TopicPlugin('error'), false);
    const topic = new sns.Topic(stack, 'QuietTopic');
    Validations.of(topic).acknowledge({ id: 'TEST-1', reason: GOOD_REASON.replace('topic', 'quiet topic') });
    const result = gate(app);
    expect(result.exitCode).toBe(1);
    expect(result.printed).toContain('ACK-UNUSED at staging/Service/QuietTopic');
    expect(result.printed).toContain('has no "<pack>::" prefix');
  });
});
