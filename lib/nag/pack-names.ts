/**
 * The policy packs the app registers, by the plugin name CDK's validation report uses as the namespace of their
 * findings. Pure (no cdk-nag import), so the reports and the gate can name packs without loading the packs.
 */
export const POLICY_PACKS = [
  'AwsSolutions',
  'HIPAA.Security',
  'NIST.800.53.R5',
  'PCI.DSS.321',
  'Serverless',
  'MLOPS',
] as const;

export type PackName = (typeof POLICY_PACKS)[number];

/**
 * The control-framework packs (HIPAA, NIST 800-53, PCI DSS): they share rules (logging, VPC placement, backups),
 * so one design decision is often acknowledged in all three.
 */
export const CONTROL_FRAMEWORK_PACKS = [
  'HIPAA.Security',
  'NIST.800.53.R5',
  'PCI.DSS.321',
] as const satisfies readonly PackName[];
