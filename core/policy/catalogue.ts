/**
 * THE rule catalogue. Every rule is defined once in `rules/<area>.ts` and listed here; the nag pack (synth), the
 * Terraform plan check (plan) and the compliance checker Lambda (run) all take their rules from this list.
 *
 * Areas (id `MLOPS-<AREA>-<N>`, file):
 * - GDPR    `rules/residency.ts`     data residency (allowed regions)
 * - SM      `rules/sagemaker.ts`     endpoint storage encryption, network isolation, VPC, gradual production rollout
 * - CAPTURE `rules/data-capture.ts`  capture enabled, encrypted, minimised (sampling), retention-limited
 * - ECR     `rules/ecr.ts`           immutable tags, scan on push, KMS, lifecycle policy
 * - BUCKET  `rules/bucket.ts`        access logging, TLS only, customer-managed KMS, public access blocked
 * - TAG     `rules/tagging.ts`       required tags, data classification
 * - IMG     `rules/image.ts`         run time only: findings above the allowed severity, scan age
 * - KMS     `rules/key-policy.ts`    key policies: no unrestricted "*" principal may decrypt
 * - IAM     `rules/identity-policy.ts` identity policies: on "*" only actions without resource-level permissions;
 *           `rules/trust-policy.ts` role trust policies: no unrestricted principal may assume a role
 * - KMS     also: decryption only for the project's accounts, automatic rotation
 * - BUCKET  also: no open bucket policy, versioning, no public ACL;  ECR also: no open repository policy
 * - IMG     also (every stage): model images from the project's ECR, pinned by digest or release tag
 * - EVENTS  `rules/events.ts`        S3 events of capture buckets stay in the account
 * - BUILD   `rules/build.ts`         CodeBuild: no privileged mode, no secrets in plaintext variables
 *
 * A rule is a pure function of (facts, context). Unknown facts are `undefined` and never count as compliant. Ids are
 * stable API (suppressions, reports, metrics): never renumber, retire instead.
 */
import { PolicyContext } from './context';
import { ResourceFacts } from './facts';
import { Finding, Rule, Stage } from './rule';
import {
  bucketAccessLogging,
  bucketAclNotPublic,
  bucketEncryptedWithCmk,
  bucketPolicyNotOpen,
  bucketPublicAccessBlocked,
  bucketTlsOnly,
  bucketVersioned,
} from './rules/bucket';
import { buildNoPlaintextSecrets, buildNotPrivileged } from './rules/build';
import {
  captureRetentionLimited,
  dataCaptureEnabled,
  dataCaptureEncrypted,
  dataCaptureMinimised,
} from './rules/data-capture';
import {
  repositoryEncrypted,
  repositoryLifecyclePolicy,
  repositoryPolicyNotOpen,
  repositoryScanOnPush,
  repositoryTagsImmutable,
} from './rules/ecr';
import { captureEventsStayInAccount } from './rules/events';
import { identityPolicyNoDataPlaneOnEverything } from './rules/identity-policy';
import { imageFindingsWithinThreshold, imageScannedRecently, modelImageFromProjectRegistry } from './rules/image';
import { keyPolicyNoForeignDecrypt, keyPolicyNoPublicDecrypt, keyRotationEnabled } from './rules/key-policy';
import { regionAllowed } from './rules/residency';
import {
  endpointConfigStorageEncrypted,
  modelInVpc,
  modelNetworkIsolation,
  productionGradualRollout,
} from './rules/sagemaker';
import { dataClassificationTagged, requiredTagsPresent } from './rules/tagging';
import { roleTrustNotOpen } from './rules/trust-policy';

export const RULES: readonly Rule[] = [
  regionAllowed,
  endpointConfigStorageEncrypted,
  modelNetworkIsolation,
  modelInVpc,
  productionGradualRollout,
  dataCaptureEnabled,
  dataCaptureEncrypted,
  dataCaptureMinimised,
  captureRetentionLimited,
  repositoryTagsImmutable,
  repositoryScanOnPush,
  repositoryEncrypted,
  repositoryLifecyclePolicy,
  bucketAccessLogging,
  bucketTlsOnly,
  bucketEncryptedWithCmk,
  bucketPublicAccessBlocked,
  requiredTagsPresent,
  dataClassificationTagged,
  imageFindingsWithinThreshold,
  imageScannedRecently,
  keyPolicyNoPublicDecrypt,
  identityPolicyNoDataPlaneOnEverything,
  roleTrustNotOpen,
  bucketPolicyNotOpen,
  bucketVersioned,
  bucketAclNotPublic,
  keyPolicyNoForeignDecrypt,
  keyRotationEnabled,
  repositoryPolicyNotOpen,
  modelImageFromProjectRegistry,
  captureEventsStayInAccount,
  buildNotPrivileged,
  buildNoPlaintextSecrets,
];

/** Rules enforceable at a stage. */
export function rulesFor(stage: Stage): readonly Rule[] {
  return RULES.filter((r) => r.stages.includes(stage));
}

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** Judges every resource with every applicable rule of the stage. NOT_APPLICABLE verdicts are dropped. */
export function evaluate(resources: readonly ResourceFacts[], ctx: PolicyContext, stage: Stage): Finding[] {
  const out: Finding[] = [];
  const rules = rulesFor(stage);
  for (const facts of resources) {
    for (const rule of rules) {
      if (!rule.appliesTo.includes(facts.kind)) continue;
      const result = rule.check(facts, ctx);
      if (result.status === 'NOT_APPLICABLE') continue;
      out.push({
        ...result,
        // A shared resource (a role) names what it reaches, so the finding leads to the models it affects.
        ...(facts.usedBy !== undefined && facts.usedBy.length > 0
          ? { reason: `${result.reason} (used by ${facts.usedBy.join(', ')})` }
          : {}),
        ruleId: rule.id,
        severity: rule.severity,
        resourceId: facts.id,
        resourceKind: facts.kind,
        ...(facts.name !== undefined ? { resourceName: facts.name } : {}),
      });
    }
  }
  return out;
}
