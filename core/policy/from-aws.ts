/**
 * Run-time adapter: AWS SDK v3 response shapes -> normalized facts.
 *
 * Pure mapping functions. They import the SDK's output *types* only (erased at compile time), never a client, so
 * the catalogue stays free of I/O and these functions are unit-testable with literal objects. The compliance checker
 * Lambda (lambda/compliance-checker) makes the calls and hands the responses here.
 *
 * Facts `id` is the resource ARN. A fact the response does not show stays `undefined` (rules read that as "not
 * shown"), except where the API's own documented default applies (e.g. a model without EnableNetworkIsolation runs
 * without isolation).
 *
 * This module is the entry point; `aws/` holds the readers of each service.
 */
export type { KeyLookup } from './aws/readers';
export { accountOfArn, isCustomerManaged, regionOfArn, tagsToRecord } from './aws/readers';
export { endpointConfigFacts, endpointFacts, modelFacts } from './aws/sagemaker';
export type { EcrImageRef, RepositoryExtras } from './aws/ecr';
export { imageFacts, parseEcrImageUri, registryScansOnPush, repositoryFacts } from './aws/ecr';
export type { BucketReads } from './aws/buckets';
export { bucketFacts } from './aws/buckets';
export {
  inlinePoliciesFacts,
  isAwsManagedPolicy,
  keyFacts,
  managedPolicyFacts,
  roleFacts,
  roleNameOfArn,
} from './aws/identity';
export type { ConfigKind } from './aws/config-types';
export { CONFIG_RESOURCE_TYPES, configKindsOf, kindOfConfigType } from './aws/config-types';
export { eventRuleFacts } from './aws/events';
