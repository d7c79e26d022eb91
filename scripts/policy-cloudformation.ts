/**
 * The rule catalogue on CloudFormation templates this project did not write:
 *   npm run policy:cloudformation -- <template.json|.yaml>... [-c config.json] [--region eu-west-1] [--out dir]
 *
 * Every template is read (JSON, or YAML with short-form intrinsics), adapted by lib/policy/from-cloudformation (the
 * adapter the synth-time MLOPS pack uses), and judged by every synth-stage rule against the policy of the config
 * (`-c`, else the default embedded in cdk.json). Values behind parameters or conditions are unknown, and the findings
 * say so. Writes validation-report.json (CDK's shape) and security-report.{sarif,md,html} to --out
 * (default policy-report/). Exit 0: no open findings; 1: open findings (as a failing `cdk synth`); 2: bad arguments
 * or an unreadable template or config.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compliancePolicy, ConfigError, loadConfig, DEFAULT_CONFIG_CONTEXT_KEY } from '../lib/config/loader';
import { evaluate } from '../lib/policy/catalogue';
import { CompliancePolicy } from '../lib/policy/context';
import { CfnTemplate, exportedResourceTypes, factsFromTemplate } from '../lib/policy/from-cloudformation';
import { checkTemplateSize, parseTemplate, TemplateParseError } from '../lib/policy/parse-template';
import { ruleById } from '../lib/policy/catalogue';
import { toHtml } from '../lib/reports/html';
import { toMarkdown } from '../lib/reports/markdown';
import { toSarif } from '../lib/reports/sarif';
import {
  buildSecurityReport,
  countByStatus,
  summaryLine,
  ValidationReport,
  VALIDATION_REPORT_FILE,
} from '../lib/reports/validation-report';

const USAGE =
  'usage: npm run policy:cloudformation -- <template.json|.yaml>... [-c config.json] [--region <region>] [--out <dir>]';

class UsageError extends Error {}

interface Args {
  readonly templates: string[];
  readonly config?: string;
  readonly region?: string;
  readonly out: string;
}

export function parseArgs(argv: readonly string[]): Args {
  const templates: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) {
      templates.push(arg);
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = { '-c': 'config', '--config': 'config', '--region': 'region', '--out': 'out' }[flag];
    const value = inline ?? argv[++i];
    if (name === undefined || value === undefined || value === '') {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
    opts[name] = value;
  }
  if (templates.length === 0) throw new UsageError(`no template given\n${USAGE}`);
  return {
    templates,
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    out: opts.out ?? 'policy-report',
  };
}

/** The policy: from `-c <file>`, else the default config embedded in cdk.json (the same the synth uses). */
function policyOf(config: string | undefined, cwd: string): CompliancePolicy {
  const context: Record<string, unknown> = {};
  if (config !== undefined) context.config = config;
  else {
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as {
      context?: Record<string, unknown>;
    };
    context[DEFAULT_CONFIG_CONTEXT_KEY] = cdkJson.context?.[DEFAULT_CONFIG_CONTEXT_KEY];
  }
  return compliancePolicy(loadConfig({ node: { tryGetContext: (k: string) => context[k] } }, cwd));
}

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
      pluginReports: [{ pluginName: 'MLOPS', conclusion: violations.length > 0 ? 'failure' : 'success', violations }],
    },
  };
}

function main(): number {
  const cwd = process.cwd();
  try {
    const args = parseArgs(process.argv.slice(2));
    const policy = policyOf(args.config, cwd);
    const templates = args.templates.map((file, i) => {
      const path = relative(cwd, resolve(cwd, file));
      console.error(`[${i + 1}/${args.templates.length}] reading ${path}`);
      const attempt = <T>(fn: () => T): T => {
        try {
          return fn();
        } catch (err) {
          throw new UsageError(`${path}: cannot read: ${(err as Error).message}`);
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
    const { report, resources } = judgeTemplates(templates, policy, args.region);
    const security = buildSecurityReport(report);
    mkdirSync(args.out, { recursive: true });
    const files = {
      [VALIDATION_REPORT_FILE]: `${JSON.stringify(report, null, 2)}\n`,
      'security-report.sarif': `${JSON.stringify(toSarif(security, { assemblyDir: '.' }), null, 2)}\n`,
      'security-report.md': toMarkdown(security),
      'security-report.html': toHtml(security),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(args.out, name), content);
    for (const f of security.findings) console.log(`  ${f.findingId} ${f.constructPath}: ${f.description}`);
    const { open } = countByStatus(security.findings);
    console.log(`Judged ${resources} resource(s) in ${templates.length} template(s); reports in ${args.out}/`);
    console.log(`${open === 0 ? 'PASS' : 'FAIL'}: ${summaryLine(security)}`);
    return open === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TemplateParseError || e instanceof ConfigError) {
      console.error(`policy:cloudformation: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main();
