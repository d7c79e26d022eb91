/**
 * SARIF 2.1.0 for GitHub code scanning: one run per pack, acknowledged findings as results with an accepted external
 * suppression (shown as dismissed, with the reason), so the gate and the audit trail live in one file.
 */
import { createHash } from 'node:crypto';
import { ruleById } from '../policy/catalogue';
import { Rule, RuleSeverity } from '../policy/rule';
import { SecurityFinding, SecurityReport, ViolationSeverity, templateUri } from './validation-report';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const CDK_NAG_RULES_URI = 'https://github.com/cdklabs/cdk-nag/blob/main/RULES.md';

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: SarifRun[];
}
export interface SarifRun {
  readonly tool: {
    readonly driver: { readonly name: string; readonly informationUri?: string; readonly rules: SarifRule[] };
  };
  readonly results: SarifResult[];
}
export interface SarifRule {
  readonly id: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help?: { readonly text: string };
  readonly helpUri?: string;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: { readonly tags: string[]; readonly 'security-severity'?: string };
}
export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: { readonly text: string };
  readonly locations: SarifLocation[];
  readonly partialFingerprints: Record<string, string>;
  readonly suppressions?: { readonly kind: 'external'; readonly status: 'accepted'; readonly justification: string }[];
  readonly properties?: Record<string, string>;
}
export interface SarifLocation {
  readonly logicalLocations: {
    readonly name: string;
    readonly fullyQualifiedName: string;
    readonly kind: 'resource';
  }[];
  readonly physicalLocation?: {
    readonly artifactLocation: { readonly uri: string };
    readonly region?: { readonly startLine: number };
  };
}

export interface SarifOptions {
  /**
   * The cloud assembly directory, to turn template paths into artifact URIs.
   * @default 'cdk.out'
   */
  readonly assemblyDir?: string;
  /**
   * Directory artifact URIs are relative to (GitHub resolves them against the repository root).
   * @default process.cwd()
   */
  readonly baseDir?: string;
}

const LEVELS: Record<ViolationSeverity, SarifLevel> = {
  fatal: 'error',
  error: 'error',
  warning: 'warning',
  custom: 'warning',
  info: 'note',
};

/** GitHub ranks security alerts by this CVSS-like score (critical >= 9.0, high >= 7.0, medium >= 4.0). */
const SECURITY_SEVERITY: Record<RuleSeverity, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '3.0' };

export function sarifLevel(severity: ViolationSeverity): SarifLevel {
  return LEVELS[severity];
}

export function toSarif(report: SecurityReport, opts: SarifOptions = {}): SarifLog {
  const assemblyDir = opts.assemblyDir ?? 'cdk.out';
  const runs = report.packs.map((pack): SarifRun => {
    const findings = report.findings.filter((f) => f.pack === pack.pack);
    const rules: SarifRule[] = [];
    const results = findings.map((f): SarifResult => {
      let ruleIndex = rules.findIndex((r) => r.id === f.ruleId);
      if (ruleIndex < 0) ruleIndex = rules.push(sarifRule(f)) - 1;
      const physicalLocation = f.location && {
        artifactLocation: { uri: templateUri(assemblyDir, f.location.templatePath, opts.baseDir) },
        ...(f.location.line ? { region: { startLine: f.location.line } } : {}),
      };
      return {
        ruleId: f.ruleId,
        ruleIndex,
        level: sarifLevel(f.severity),
        message: { text: `${f.findingId} on ${f.constructPath}: ${f.description}` },
        locations: [
          {
            logicalLocations: [
              {
                name: f.constructPath.split('/').pop() ?? f.constructPath,
                fullyQualifiedName: f.constructPath,
                kind: 'resource',
              },
            ],
            ...(physicalLocation ? { physicalLocation } : {}),
          },
        ],
        // Stable across template edits: the same finding on the same construct is the same alert.
        partialFingerprints: { 'cdkFinding/v1': fingerprint(f) },
        ...(f.status === 'acknowledged'
          ? {
              suppressions: [
                { kind: 'external', status: 'accepted', justification: f.reason ?? '(acknowledged without a reason)' },
              ],
              ...(f.acknowledgedAt ? { properties: { acknowledgedAt: f.acknowledgedAt } } : {}),
            }
          : {}),
      };
    });
    return {
      tool: {
        driver: { name: pack.pack, ...(pack.pack === 'MLOPS' ? {} : { informationUri: CDK_NAG_RULES_URI }), rules },
      },
      results,
    };
  });
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs };
}

function sarifRule(f: SecurityFinding): SarifRule {
  const level = sarifLevel(f.severity);
  const catalogued = f.pack === 'MLOPS' ? ruleById(f.ruleId) : undefined;
  if (catalogued) return mlopsRule(catalogued, level);
  return {
    id: f.ruleId,
    shortDescription: { text: firstSentence(f.description) },
    fullDescription: { text: f.description },
    helpUri: CDK_NAG_RULES_URI,
    defaultConfiguration: { level },
    properties: { tags: ['security', f.pack] },
  };
}

function mlopsRule(rule: Rule, level: SarifLevel): SarifRule {
  const refs = rule.references;
  return {
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: { text: `Remediation: ${rule.remediation}` },
    ...(refs.awsConfigRule ? { helpUri: awsConfigRuleUri(refs.awsConfigRule) } : {}),
    defaultConfiguration: { level },
    properties: {
      tags: [
        'security',
        'MLOPS',
        ...(refs.gdpr ?? []).map((r) => `GDPR ${r}`),
        ...(refs.nist80053 ?? []).map((r) => `NIST-800-53 ${r}`),
      ],
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  };
}

/** The AWS Config managed rule page: `S3_BUCKET_LOGGING_ENABLED` → `s3-bucket-logging-enabled.html`. */
function awsConfigRuleUri(identifier: string): string {
  return `https://docs.aws.amazon.com/config/latest/developerguide/${identifier.toLowerCase().replace(/_/g, '-')}.html`;
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  const sentence = end < 0 ? text : text.slice(0, end + 1);
  return sentence.length > 200 ? `${sentence.slice(0, 197)}...` : sentence;
}

function fingerprint(f: SecurityFinding): string {
  return createHash('sha256').update(`${f.pack}\n${f.findingId}\n${f.constructPath}`).digest('hex').slice(0, 32);
}
