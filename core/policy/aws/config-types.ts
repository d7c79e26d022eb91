/** The AWS Config resource types of the kinds the run-time checker reports, and back. */
import { ResourceKind } from '../facts';

/**
 * AWS Config resource types (ComplianceResourceType) of the kinds the run-time checker reads. Buckets and images
 * are judged by the scheduled scan and the pipeline gate only: the checker does not report them to Config.
 */
export const CONFIG_RESOURCE_TYPES = {
  Model: 'AWS::SageMaker::Model',
  EndpointConfig: 'AWS::SageMaker::EndpointConfig',
  Endpoint: 'AWS::SageMaker::Endpoint',
  Repository: 'AWS::ECR::Repository',
} as const satisfies Partial<Record<ResourceKind, string>>;

export type ConfigKind = keyof typeof CONFIG_RESOURCE_TYPES;

/** The kind of a Config resource type, or undefined for types the checker does not read. */
export function kindOfConfigType(resourceType: string): ConfigKind | undefined {
  return (Object.keys(CONFIG_RESOURCE_TYPES) as ConfigKind[]).find((k) => CONFIG_RESOURCE_TYPES[k] === resourceType);
}

/** Kinds of `appliesTo` that AWS Config can be told about, in a stable order. */
export function configKindsOf(appliesTo: readonly ResourceKind[]): ConfigKind[] {
  return (Object.keys(CONFIG_RESOURCE_TYPES) as ConfigKind[]).filter((k) => appliesTo.includes(k));
}
