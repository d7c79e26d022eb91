/**
 * The MLOPS rules over a Terraform plan:
 *   npm run policy:terraform -- plan.json [--config config.json] [--region eu-west-1] [--out dir]
 * plan.json is `terraform show -json <planfile>`. The policy (allowed regions, retention, sampling maximum, required
 * tags, production environments) comes from the same config document the CDK app reads: `--config`, else the
 * default embedded in cdk.json. Writes terraform-policy.{sarif,md} to --out (default reports/policy-terraform/) with
 * the report code of `npm run report`.
 * Exit 0: no violations; 1: violations; 2: unreadable plan or config, or wrong arguments.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_OPTION, CommandSpec, InputError, OptionSpec, Values, defaultOutput, runAsMain } from '../lib/cli/args';
import { compliancePolicy, loadConfigArgument } from '../lib/config/loader';
import { evaluate, Finding } from '../core/policy';
import { factsFromPlan, parseTerraformPlan, TerraformPlan, TerraformPlanError } from '../core/policy/from-terraform';
import { toMarkdown } from '../lib/reports/markdown';
import { toSarif } from '../lib/reports/sarif';
import { SecurityFinding, SecurityReport, SourceLocation } from '../lib/reports/validation-report';
import { summaryLine } from '../lib/reports/finding-labels';

const withSource = (source: SourceLocation | undefined) => (source !== undefined ? { source } : {});

const PACK = 'MLOPS';

/** The report files the command writes into `--out` (the pull-request workflow uploads the SARIF). */
export const TERRAFORM_POLICY_SARIF = 'terraform-policy.sarif';
export const TERRAFORM_POLICY_MARKDOWN = 'terraform-policy.md';

export const POLICY_TERRAFORM_COMMAND = {
  command: 'npm run policy:terraform --',
  summary:
    'Judges a Terraform plan with the MLOPS rules (stage plan), under the policy of the config the CDK app reads;\nwrites terraform-policy.sarif and terraform-policy.md.',
  positionals: {
    name: '<plan.json>',
    description: 'the plan as JSON: `terraform show -json plan.tfplan > plan.json`',
  },
  options: {
    config: { ...CONFIG_OPTION, description: `config whose policy applies: ${CONFIG_OPTION.description}` },
    region: {
      type: 'string',
      valueName: '<region>',
      description: "region of every resource (default: the plan's aws_region or provider region)",
    },
    out: {
      type: 'string',
      valueName: '<dir>',
      description: `where the reports go (default: ${defaultOutput('policy-terraform')})`,
    },
    root: {
      type: 'string',
      valueName: '<dir>',
      description:
        'the root module the plan was made in, to place findings at their .tf file and line (default: the plan’s directory)',
    },
  },
  epilogue: 'exit codes: 0 no violations; 1 violations; 2 unreadable plan or config, or wrong arguments.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

function readPlan(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TerraformPlanError(`${file}: cannot read it: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TerraformPlanError(
      `${file}: not JSON (${(e as Error).message}); pass the output of \`terraform show -json plan.tfplan\`, not the binary plan file`,
    );
  }
  return parseTerraformPlan(json, file);
}

/**
 * Where a resource of the plan is written: the `.tf` file and line of its `resource "type" "name"` block, found
 * through the plan's configuration (module calls and their local `source` paths, relative to the root module).
 * Undefined for a module from a registry or git, or a resource the files do not show.
 */
export function terraformSourceOf(plan: TerraformPlan, address: string, rootDir: string): SourceLocation | undefined {
  const m = /^((?:module\.[^.[]+(?:\[[^\]]*\])?\.)*)(?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)/.exec(address);
  if (m === null) return undefined;
  const [, modules = '', type, name] = m;
  let dir = rootDir;
  let mod = (plan.configuration as { root_module?: unknown } | undefined)?.root_module as
    { module_calls?: Record<string, { source?: string; module?: unknown }> } | undefined;
  for (const call of modules.matchAll(/module\.([^.[]+)/g)) {
    const next = mod?.module_calls?.[call[1]!];
    if (next?.source === undefined || !/^\.\.?\//.test(next.source)) return undefined;
    dir = resolve(dir, next.source);
    mod = next.module as typeof mod;
  }
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.tf'))
      .sort();
  } catch {
    return undefined;
  }
  const block = new RegExp(`^\\s*resource\\s+"${type}"\\s+"${name}"\\s*\\{`);
  for (const f of files) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    const index = lines.findIndex((l) => block.test(l));
    if (index >= 0) return { file: join(dir, f), line: index + 1 };
  }
  return undefined;
}

/**
 * Policy findings as the report renderers' input: one open finding per violation, at the resource's `.tf` file and
 * line where `locate` finds it (SARIF then puts the alert there), else located in the plan file.
 */
export function planReport(
  findings: readonly Finding[],
  planFile: string,
  locate: (address: string) => SourceLocation | undefined = () => undefined,
): SecurityReport {
  const violations = findings.filter((f) => f.status === 'NON_COMPLIANT');
  const security = violations.map((f): SecurityFinding => ({
    pack: PACK,
    ruleId: f.ruleId,
    findingId: f.ruleId,
    // The MLOPS cdk-nag pack reports every rule at error level; the catalogue severity ranks them.
    severity: 'error',
    catalogueSeverity: f.severity,
    description: f.reason,
    constructPath: f.resourceId,
    status: 'open',
    location: { templatePath: planFile, logicalId: f.resourceId },
    ...withSource(locate(f.resourceId)),
  }));
  return {
    title: `Terraform plan policy report (${planFile})`,
    cdkReportVersion: 'terraform-plan',
    packs: [
      { pack: PACK, conclusion: security.length > 0 ? 'failure' : 'success', open: security.length, acknowledged: 0 },
    ],
    findings: security,
  };
}

function main(values: Values<typeof POLICY_TERRAFORM_COMMAND.options>, [planFile]: readonly string[]): number {
  const args = {
    ...values,
    plan: planFile!,
    out: values.out ?? defaultOutput('policy-terraform'),
  };
  try {
    const config = loadConfigArgument(args.config);
    const plan = readPlan(args.plan);
    const facts = factsFromPlan(plan, args.region !== undefined ? { region: args.region } : {});
    const findings = evaluate(facts, { policy: compliancePolicy(config), now: new Date() }, 'plan');
    console.log(`Judged ${facts.length} resources of ${args.plan} with the MLOPS rules (stage plan):`);
    for (const f of facts) {
      const of = findings.filter((x) => x.resourceId === f.id);
      const bad = of.filter((x) => x.status === 'NON_COMPLIANT');
      console.log(
        `  ${bad.length === 0 ? 'ok  ' : 'FAIL'} ${f.id} (${f.kind}): ${of.length - bad.length} compliant, ${bad.length} violations`,
      );
      for (const b of bad) console.log(`         ${b.ruleId} [${b.severity}] ${b.reason}`);
    }
    const root = resolve(args.root ?? dirname(args.plan));
    const report = planReport(findings, args.plan, (address) => terraformSourceOf(plan, address, root));
    mkdirSync(args.out, { recursive: true });
    const files = {
      [TERRAFORM_POLICY_SARIF]: `${JSON.stringify(toSarif(report, { assemblyDir: '.' }), null, 2)}\n`,
      [TERRAFORM_POLICY_MARKDOWN]: toMarkdown(report),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(args.out, name), content);
    console.log(
      `Wrote ${Object.keys(files)
        .map((f) => join(args.out, f))
        .join(', ')}`,
    );
    const open = report.findings.length;
    console.log(`${open === 0 ? 'PASS' : 'FAIL'}: ${summaryLine(report)}`);
    return open === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof TerraformPlanError) throw new InputError(e.message);
    throw e;
  }
}

if (require.main === module) {
  runAsMain(POLICY_TERRAFORM_COMMAND, main);
}
