import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  CfnElement,
  CfnResource,
  IPolicyValidationContext,
  PolicyValidationPluginReport,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { ComplianceSchema } from '../config/schema';
import { rulesFor } from '../../core/policy/catalogue';
import { CompliancePolicy, PolicyContext } from '../../core/policy/context';
import { ResourceFacts, TAGS } from '../../core/policy/facts';
import { CfnTemplate, exportedResourceTypes, factsByLogicalId } from '../../core/policy/from-cloudformation';
import { ComplianceStatus, Rule } from '../../core/policy/rule';
import { PackName } from './pack-names';

const PACK = 'MLOPS' satisfies PackName;

const TO_NAG: Record<ComplianceStatus, NagRuleCompliance> = {
  COMPLIANT: NagRuleCompliance.COMPLIANT,
  NON_COMPLIANT: NagRuleCompliance.NON_COMPLIANT,
  NOT_APPLICABLE: NagRuleCompliance.NOT_APPLICABLE,
};

/**
 * The policy the MLOPS pack judges against. Only the data-residency regions have no sensible default; every other
 * field left out takes the config schema's default: capture kept at most 30 days and sampled at most 20%, tags
 * `Owner`, `CostCenter` and `DataClassification` (public, internal, confidential, restricted) required, image
 * findings above MEDIUM and scans older than 7 days rejected, no VPC required, and endpoints tagged
 * `Environment: production` held to a gradual rollout (an endpoint without an Environment tag is too).
 */
export type MlopsPolicyOptions = Pick<CompliancePolicy, 'allowedRegions'> & Partial<CompliancePolicy>;

/** A whole CompliancePolicy from the fields given and the defaults (see `MlopsPolicyOptions`). */
export function mlopsPolicy(options: MlopsPolicyOptions): CompliancePolicy {
  const defaults = ComplianceSchema.parse({ allowedRegions: options.allowedRegions });
  const requiredTags = options.requiredTags ?? defaults.requiredTags;
  return {
    allowedRegions: options.allowedRegions,
    captureRetentionDays: options.captureRetentionDays ?? defaults.captureRetentionDays,
    maxCaptureSamplingPercent: options.maxCaptureSamplingPercent ?? defaults.maxCaptureSamplingPercent,
    // The data classification tag is always required, as in the config (compliancePolicy()).
    requiredTags: [...new Set([...requiredTags, TAGS.DATA_CLASSIFICATION])],
    dataClassifications: options.dataClassifications ?? defaults.dataClassifications,
    maxFindingSeverity: options.maxFindingSeverity ?? defaults.maxFindingSeverity,
    imageScanMaxAgeDays: options.imageScanMaxAgeDays ?? defaults.imageScanMaxAgeDays,
    requireVpc: options.requireVpc ?? defaults.requireVpc,
    productionEnvironments: options.productionEnvironments ?? ['production'],
    // The accounts of the project (environments, pipeline): without them, only a resource's own account is known.
    ...(options.knownAccounts !== undefined ? { knownAccounts: options.knownAccounts } : {}),
  };
}

/**
 * The MLOPS cdk-nag pack: every synth-stage rule of the catalogue in core/policy, judged on facts that the
 * CloudFormation adapter reads from the synthesized templates — the same facts shape, and the same rule
 * functions, that the Terraform plan check and the run-time compliance checker use.
 *
 * Reading the written template (not the construct properties) means the pack sees exactly what CloudFormation
 * will deploy, escape hatches and property overrides included.
 *
 * Beside cdk-nag's own packs, in an app of your own:
 * `Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new MlopsChecks({ allowedRegions: ['eu-west-1'] }))`.
 * Every finding is an error, so `cdk synth` fails on it; acknowledge one with `acknowledge()` and a reason.
 */
export class MlopsChecks extends NagPack {
  public readonly name = PACK;
  public override readonly ruleIds = rulesFor('synth').map((r) => r.id);
  private readonly ctx: PolicyContext;
  private readonly rules: readonly Rule[] = rulesFor('synth');
  /** Facts per template file name, then per logical id. */
  private factsByTemplate = new Map<string, Map<string, ResourceFacts[]>>();

  /**
   * @param policy the organisation's policy: a whole `CompliancePolicy`, or the allowed regions and any fields that
   *   differ from the defaults (`MlopsPolicyOptions`)
   * @param props cdk-nag pack options (verbose, logs)
   */
  constructor(policy: MlopsPolicyOptions, props?: NagPackProps) {
    super(undefined, props);
    this.packName = PACK;
    this.ctx = { policy: mlopsPolicy(policy), now: new Date() };
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.factsByTemplate = new Map();
    const templates = context.templatePaths.map(
      (p) => [basename(p), JSON.parse(readFileSync(p, 'utf8')) as CfnTemplate] as const,
    );
    // Model stacks import keys from the platform stack: resolve imports against every template of the app.
    const imports = exportedResourceTypes(templates.map(([, t]) => t));
    for (const [file, template] of templates) this.factsByTemplate.set(file, factsByLogicalId(template, { imports }));
    return super.validate(context);
  }

  protected checkResource(node: CfnResource): void {
    for (const facts of this.factsFor(node)) this.checkFacts(node, facts);
  }

  private checkFacts(node: CfnResource, facts: ResourceFacts): void {
    for (const rule of this.rules) {
      if (!rule.appliesTo.includes(facts.kind)) continue;
      const result = rule.check(facts, this.ctx);
      this.applyRule({
        ruleSuffixOverride: rule.id.slice(PACK.length + 1),
        info: `${rule.title}: ${result.reason}.`,
        explanation: `${rule.rationale} Remediation: ${rule.remediation}`,
        level: NagMessageLevel.ERROR,
        node,
        rule: () => TO_NAG[result.status],
      });
    }
  }

  private factsFor(node: CfnResource): ResourceFacts[] {
    const stack = Stack.of(node);
    let byId = this.factsByTemplate.get(stack.templateFile);
    if (!byId) {
      // Direct validateScope() call (tests): no written template yet, so render this stack's template in memory.
      byId = factsByLogicalId(renderTemplate(stack), {});
      this.factsByTemplate.set(stack.templateFile, byId);
    }
    const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
    const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
    return (byId.get(stack.resolve(node.logicalId) as string) ?? []).map((facts) => ({
      ...facts,
      ...(region !== undefined && facts.region === undefined ? { region } : {}),
      ...(account !== undefined && facts.account === undefined ? { account } : {}),
    }));
  }
}

function renderTemplate(stack: Stack): CfnTemplate {
  const resources: Record<string, unknown> = {};
  for (const child of stack.node.findAll()) {
    if (!CfnElement.isCfnElement(child) || Stack.of(child) !== stack) continue;
    const fragment = stack.resolve((child as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
      Resources?: Record<string, unknown>;
    };
    Object.assign(resources, fragment.Resources ?? {});
  }
  return { Resources: resources } as CfnTemplate;
}
