/**
 * The shapes of what synth leaves in the cloud assembly for reviewers: CDK's `validation-report.json` (mirroring
 * `PolicyValidationReportJson` of `@aws-cdk/cloud-assembly-schema`; unknown fields are ignored so newer CDK versions
 * still read) and the project's own `policy-gate.json` (the gate's verdict, every acknowledgement with its scope,
 * reason and what it removed, and the acknowledgement audit as one more plugin report).
 */
import { z } from 'zod';

const violatingConstructSchema = z.object({
  constructPath: z.string(),
  constructFqn: z.string().optional(),
  cloudFormationResource: z
    .object({ templatePath: z.string(), logicalId: z.string(), propertyPaths: z.array(z.string()).optional() })
    .optional(),
  stackTraces: z.array(z.string()).optional(),
});

export const violationSchema = z.object({
  ruleName: z.string(),
  description: z.string(),
  suggestedFix: z.string().optional(),
  severity: z.enum(['fatal', 'error', 'warning', 'info', 'custom']),
  customSeverity: z.string().optional(),
  violatingConstructs: z.array(violatingConstructSchema),
});

const suppressedViolationSchema = violationSchema.extend({
  acknowledgedId: z.string(),
  reason: z.string().optional(),
  acknowledgedAt: z.string().optional(),
  acknowledgedStackTrace: z.string().optional(),
});

export const pluginReportSchema = z.object({
  pluginName: z.string().min(1),
  pluginVersion: z.string().optional(),
  conclusion: z.enum(['success', 'failure']),
  violations: z.array(violationSchema),
  suppressedViolations: z.array(suppressedViolationSchema).optional(),
});

export const validationReportSchema = z.object({
  version: z.string(),
  title: z.string().optional(),
  pluginReports: z.array(pluginReportSchema),
});

export type ValidationReport = z.infer<typeof validationReportSchema>;
export type ViolationSeverity = z.infer<typeof violationSchema>['severity'];

/** The gate's own file in the assembly directory, next to validation-report.json. */
export const GATE_FILE = 'policy-gate.json';

const sourceLocationSchema = z.object({ file: z.string(), line: z.number(), column: z.number().optional() });

export const acknowledgementEntrySchema = z.object({
  /** As written: `<pack>::<finding>`. */
  id: z.string(),
  pack: z.string(),
  findingId: z.string(),
  /** Construct path it was made at (`''` for the app). */
  scope: z.string(),
  scopeKind: z.enum(['app', 'stage', 'stack', 'construct']),
  reason: z.string(),
  source: sourceLocationSchema.optional(),
  /** Construct paths of the findings it removed. */
  removed: z.array(z.string()),
  /** Why the gate rejects it (empty: accepted). */
  problems: z.array(z.object({ rule: z.string(), message: z.string() })),
});

export const gateStackSchema = z.object({
  displayName: z.string(),
  stackName: z.string(),
  group: z.string(),
  account: z.string(),
  region: z.string(),
  templatePath: z.string(),
  resources: z.number(),
});

export const gateDocumentSchema = z.object({
  version: z.literal(1),
  verdict: z.enum(['pass', 'fail']),
  reportOnly: z.boolean(),
  open: z.number(),
  stacks: z.array(gateStackSchema),
  acknowledgements: z.array(acknowledgementEntrySchema),
  audit: pluginReportSchema,
});

export type GateDocument = z.infer<typeof gateDocumentSchema>;
export type AcknowledgementEntry = z.infer<typeof acknowledgementEntrySchema>;
export type GateStack = z.infer<typeof gateStackSchema>;
