/**
 * SARIF 2.1.0 for GitHub code scanning. GitHub ignores SARIF `suppressions` (an acknowledged finding uploaded as a
 * result becomes an open alert) and shows alerts on a pull request only at lines of tracked files, so:
 * - results are the open findings only (acknowledged findings stay in the Markdown/HTML reports; `acknowledged:
 *   'note'` adds them at level `note` for tools that want them);
 * - every result points at a tracked file and line: where the construct is created in our code (from the stack
 *   trace CDK records), for an acknowledgement where it is written, or else the config file; the template resource in `cdk.out/` is kept as a logical location
 *   and a property, never as the physical location;
 * - every rule has help text and a `security-severity`, which GitHub ranks alerts by;
 * - `partialFingerprints` holds our own stable identity (pack, finding, construct path); GitHub's own
 *   `primaryLocationLineHash` is left for the upload action to compute.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { ruleById } from '../../core/policy/catalogue';
import { Rule, RuleSeverity } from '../../core/policy/rule';
import { SecurityFinding, SecurityReport, ViolationSeverity, templateUri } from './validation-report';
import { findingKey, repoRelative } from './finding-labels';

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
  readonly help: { readonly text: string; readonly markdown: string };
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
  readonly properties: Record<string, string>;
}
export interface SarifLocation {
  readonly logicalLocations: {
    readonly name: string;
    readonly fullyQualifiedName: string;
    readonly kind: 'resource';
  }[];
  readonly physicalLocation: {
    readonly artifactLocation: { readonly uri: string };
    readonly region: { readonly startLine: number; readonly startColumn?: number };
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
  /**
   * Acknowledged findings: left out of the file (GitHub would open an alert for each), or added at level `note`.
   * @default 'omit'
   */
  readonly acknowledged?: 'omit' | 'note';
  /**
   * The config file (relative to `baseDir`), the location of findings whose construct has no stack trace in our
   * code: the line of the model's entry for a model stack, else line 1.
   * @default 'cdk.json'
   */
  readonly configFile?: string;
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

/** cdk-nag rules carry no severity of their own: rank by the level the pack reported. */
const LEVEL_SECURITY_SEVERITY: Record<SarifLevel, string> = { error: '7.5', warning: '5.0', note: '2.0' };

export function sarifLevel(severity: ViolationSeverity): SarifLevel {
  return LEVELS[severity];
}

export function toSarif(report: SecurityReport, opts: SarifOptions = {}): SarifLog {
  const assemblyDir = opts.assemblyDir ?? 'cdk.out';
  const baseDir = opts.baseDir ?? process.cwd();
  const fallback = configLocator(opts.configFile ?? 'cdk.json', baseDir);
  const included = report.findings.filter((f) => f.status === 'open' || (opts.acknowledged ?? 'omit') === 'note');
  const runs = report.packs.map((pack): SarifRun => {
    const rules: SarifRule[] = [];
    const results = included
      .filter((f) => f.pack === pack.pack)
      .map((f): SarifResult => {
        let ruleIndex = rules.findIndex((r) => r.id === f.ruleId);
        if (ruleIndex < 0) ruleIndex = rules.push(sarifRule(f)) - 1;
        const acknowledged = f.status === 'acknowledged';
        // An acknowledgement is reviewed where it is written; an open finding where the construct is created.
        const at = acknowledged ? (f.acknowledgedIn ?? f.source) : f.source;
        const source = at && repoRelative(at.file, baseDir);
        const region =
          source && at
            ? { startLine: at.line, ...(at.column ? { startColumn: at.column } : {}) }
            : { startLine: fallback.lineFor(f.constructPath) };
        return {
          ruleId: f.ruleId,
          ruleIndex,
          level: acknowledged ? 'note' : sarifLevel(f.severity),
          message: {
            text:
              `${f.findingId} on ${f.constructPath}: ${f.description}` +
              (acknowledged ? ` Acknowledged: ${f.reason ?? '(no reason given)'}` : ''),
          },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: source ?? fallback.uri }, region },
              logicalLocations: [
                {
                  name: f.constructPath.split('/').pop() ?? f.constructPath,
                  fullyQualifiedName: f.constructPath,
                  kind: 'resource',
                },
              ],
            },
          ],
          // Stable across code and template edits: the same finding on the same construct is the same alert.
          partialFingerprints: { 'cdkFinding/v1': fingerprint(f) },
          properties: {
            status: f.status,
            ...(f.location
              ? { template: `${templateUri(assemblyDir, f.location.templatePath, baseDir)}#${f.location.logicalId}` }
              : {}),
            ...(f.acknowledgedAt ? { acknowledgedAt: f.acknowledgedAt } : {}),
          },
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

/** Locates findings without a source frame in the config file: the model's entry for `.../Model-<name>/...`. */
function configLocator(configFile: string, baseDir: string) {
  const text = readText(resolve(baseDir, configFile)) ?? '';
  const lines = text.split('\n');
  return {
    uri: configFile.split(sep).join('/'),
    lineFor(constructPath: string): number {
      const model = /(?:^|\/)Model-([^/]+)/.exec(constructPath)?.[1];
      const at = model ? lines.findIndex((l) => l.includes(`"name": ${JSON.stringify(model)}`)) : -1;
      return at + 1 || 1;
    },
  };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function sarifRule(f: SecurityFinding): SarifRule {
  const level = sarifLevel(f.severity);
  const catalogued = f.pack === 'MLOPS' ? ruleById(f.ruleId) : undefined;
  if (catalogued) return mlopsRule(catalogued, level);
  const help =
    `${f.description}\n\nFix the resource first. If the finding is accepted, acknowledge exactly this finding id ` +
    `(e.g. ${f.findingId}) with a reason a reviewer can judge, via acknowledge() in lib/nag/acknowledgements.ts.`;
  return {
    id: f.ruleId,
    shortDescription: { text: firstSentence(f.description) },
    fullDescription: { text: f.description },
    help: { text: help, markdown: `${help}\n\nRule reference: [cdk-nag rules](${CDK_NAG_RULES_URI}).` },
    helpUri: CDK_NAG_RULES_URI,
    defaultConfiguration: { level },
    properties: { tags: ['security', f.pack], 'security-severity': LEVEL_SECURITY_SEVERITY[level] },
  };
}

function mlopsRule(rule: Rule, level: SarifLevel): SarifRule {
  const refs = rule.references;
  return {
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: {
      text: `${rule.rationale}\n\nRemediation: ${rule.remediation}`,
      markdown: `${rule.rationale}\n\n**Remediation:** ${rule.remediation}`,
    },
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
  return createHash('sha256').update(findingKey(f)).digest('hex').slice(0, 32);
}
