/**
 * The rule catalogue on CloudFormation templates this project did not write:
 *   npm run policy:cloudformation -- <template.json|.yaml>... [--config config.json] [--region eu-west-1] [--out dir]
 *
 * Every template is read (JSON, or YAML with short-form intrinsics), adapted by core/policy/from-cloudformation (the
 * adapter the synth-time MLOPS pack uses), and judged by every synth-stage rule against the policy of the config
 * (`--config`: a config file or a cdk.json; else the default embedded in cdk.json). Values behind parameters or
 * conditions are unknown, and the findings say so. Writes validation-report.json (CDK's shape) and
 * security-report.{sarif,md,html} to --out (default reports/policy-cloudformation/). Exit 0: no open findings;
 * 1: open findings (as a failing `cdk synth`); 2: bad arguments or an unreadable template or config.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CONFIG_OPTION, CommandSpec, InputError, OptionSpec, Values, defaultOutput, runAsMain } from '../lib/cli/args';
import { compliancePolicy, loadConfigArgument } from '../lib/config/loader';
import { evaluate } from '../core/policy/catalogue';
import { CompliancePolicy } from '../core/policy/context';
import { CfnTemplate, exportedResourceTypes, factsFromTemplate } from '../core/policy/from-cloudformation';
import { checkTemplateSize, parseTemplate, TemplateParseError } from '../core/policy/parse-template';
import { ruleById } from '../core/policy/catalogue';
import { toHtml } from '../lib/reports/html';
import { toMarkdown } from '../lib/reports/markdown';
import { toSarif } from '../lib/reports/sarif';
import { buildSecurityReport, ValidationReport, VALIDATION_REPORT_FILE } from '../lib/reports/validation-report';
import { countByStatus, summaryLine } from '../lib/reports/finding-labels';

const PACK = 'MLOPS';

export const POLICY_CLOUDFORMATION_COMMAND = {
  command: 'npm run policy:cloudformation --',
  summary:
    'Judges CloudFormation templates (JSON, or YAML with short-form intrinsics) with the MLOPS rules (stage synth),\nunder the policy of the config the CDK app reads; writes validation-report.json and security-report.{sarif,md,html}.',
  positionals: {
    name: '<template>',
    description: 'template files (.json, .yaml); values behind parameters or conditions are judged unknown',
    min: 1,
    max: Infinity,
  },
  options: {
    config: { ...CONFIG_OPTION, short: 'c', description: `config whose policy applies: ${CONFIG_OPTION.description}` },
    region: {
      type: 'string',
      valueName: '<region>',
      description: 'region of every resource (default: unknown, so region rules judge it unknown)',
    },
    out: {
      type: 'string',
      valueName: '<dir>',
      description: `where the reports go (default: ${defaultOutput('policy-cloudformation')})`,
    },
  },
  epilogue:
    'exit codes: 0 no open findings; 1 open findings (as a failing `cdk synth`); 2 wrong arguments, or an unreadable\ntemplate or config.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

/**
 * Judges templates and returns CDK's validation report shape, one violation per non-compliant resource, so the
 * existing report renderers and the same exit rule apply.
 */
export function judgeTemplates(
  templates: readonly { readonly path: string; readonly template: CfnTemplate }[],
  policy: CompliancePolicy,
  region?: string,
): { report: ValidationReport; resources: number } {
  const imports = exportedResourceTypes(templates.map((t) => t.template));
  const violations: ValidationReport['pluginReports'][number]['violations'] = [];
  let resources = 0;
  for (const { path, template } of templates) {
    const facts = factsFromTemplate(template, { imports, ...(region !== undefined ? { region } : {}) });
    resources += facts.length;
    for (const f of evaluate(facts, { policy, now: new Date() }, 'synth')) {
      if (f.status !== 'NON_COMPLIANT') continue;
      const rule = ruleById(f.ruleId);
      violations.push({
        ruleName: f.ruleId,
        description: `${rule?.title ?? f.ruleId}: ${f.reason}.`,
        ...(rule ? { suggestedFix: rule.remediation } : {}),
        severity: 'error',
        violatingConstructs: [
          {
            constructPath: `${path}/${f.resourceId}`,
            cloudFormationResource: { templatePath: path, logicalId: f.resourceId },
          },
        ],
      });
    }
  }
  return {
    resources,
    report: {
      version: '1.0',
      title: 'MLOPS policy catalogue on CloudFormation templates',
      pluginReports: [{ pluginName: PACK, conclusion: violations.length > 0 ? 'failure' : 'success', violations }],
    },
  };
}

function main(values: Values<typeof POLICY_CLOUDFORMATION_COMMAND.options>, paths: readonly string[]): number {
  const cwd = process.cwd();
  const out = values.out ?? defaultOutput('policy-cloudformation');
  try {
    const policy = compliancePolicy(loadConfigArgument(values.config, { cwd }));
    const templates = paths.map((file, i) => {
      const path = relative(cwd, resolve(cwd, file));
      console.error(`[${i + 1}/${paths.length}] reading ${path}`);
      const attempt = <T>(fn: () => T): T => {
        try {
          return fn();
        } catch (err) {
          throw new InputError(`${path}: cannot read: ${(err as Error).message}`);
        }
      };
      // Refused before it is read: CloudFormation's own size limit bounds what is worth parsing.
      checkTemplateSize(
        attempt(() => statSync(file).size),
        path,
      );
      return {
        path,
        template: parseTemplate(
          attempt(() => readFileSync(file, 'utf8')),
          path,
        ),
      };
    });
    const { report, resources } = judgeTemplates(templates, policy, values.region);
    // Only the MLOPS pack ran: the summary counts it alone, not every pack the synth registers.
    const security = buildSecurityReport(report, undefined, { packs: [PACK] });
    mkdirSync(out, { recursive: true });
    const files = {
      [VALIDATION_REPORT_FILE]: `${JSON.stringify(report, null, 2)}\n`,
      'security-report.sarif': `${JSON.stringify(toSarif(security, { assemblyDir: '.' }), null, 2)}\n`,
      'security-report.md': toMarkdown(security),
      'security-report.html': toHtml(security),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content);
    for (const f of security.findings) console.log(`  ${f.findingId} ${f.constructPath}: ${f.description}`);
    const { open } = countByStatus(security.findings);
    console.log(`Judged ${resources} resource(s) in ${templates.length} template(s); reports in ${out}/`);
    console.log(`${open === 0 ? 'PASS' : 'FAIL'}: ${summaryLine(security)}`);
    return open === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof TemplateParseError) throw new InputError(e.message);
    throw e;
  }
}

if (require.main === module) {
  runAsMain(POLICY_CLOUDFORMATION_COMMAND, main);
}
