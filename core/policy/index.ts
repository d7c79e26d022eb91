/**
 * `mlops-secure-delivery/policy`: THE rule catalogue (facts, rules, evaluation) and the adapters that describe a CloudFormation
 * template or a Terraform plan as facts. Pure: no aws-cdk-lib, constructs, CDK Terrain or AWS SDK.
 *
 * @packageDocumentation
 * @module mlops-secure-delivery/policy
 */
export * from './facts';
export * from './context';
export * from './rule';
export * from './catalogue';
// Adapters: one source each -> facts. (The run-time adapter from AWS API responses, from-aws.ts, is the compliance
// checker's and stays out of the public API: its types are the AWS SDK's.)
export type { CfnResource, CfnTemplate, FromTemplateOptions } from './from-cloudformation';
export { exportedResourceTypes, factsByLogicalId, factsFromTemplate } from './from-cloudformation';
export { parseTemplate, TemplateParseError } from './parse-template';
export type { FromPlanOptions, PlanResourceChange, TerraformPlan } from './from-terraform';
export { KNOWN_AFTER_APPLY, TerraformPlanError, factsFromPlan, parseTerraformPlan, planRegion } from './from-terraform';
// The policy the rules judge against, and its schema (for a policy kept in a file of your own).
export { CompliancePolicySchema } from '../contracts/compliance-checker';
