/**
 * Model image repository rules (area ECR): what is deployed must be exactly what was built and scanned.
 */
import { compliant, defineRule, nonCompliant, unknownValue } from '../rule';
import { judgeOpenToAnyPrincipal } from './resource-policy';

export const repositoryTagsImmutable = defineRule({
  id: 'MLOPS-ECR-1',
  title: 'Model image tags are immutable',
  severity: 'HIGH',
  rationale:
    'With mutable tags, the image behind a deployed tag can be replaced after it was tested and scanned, so the ' +
    'endpoint can run code nobody reviewed.',
  remediation:
    'Set ImageTagMutability to IMMUTABLE. IMMUTABLE_WITH_EXCLUSION counts as mutable: excluded tags can be overwritten.',
  references: { nist80053: ['SI-7', 'CM-2', 'CM-14'], awsConfigRule: 'ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED' },
  appliesTo: ['Repository'],
  check(facts) {
    if (facts.tagImmutable === undefined) return unknownValue('ImageTagMutability', 'IMMUTABLE is required');
    return facts.tagImmutable
      ? compliant('image tags are immutable')
      : nonCompliant('image tags are mutable (ImageTagMutability is not IMMUTABLE); IMMUTABLE is required');
  },
});

export const repositoryScanOnPush = defineRule({
  id: 'MLOPS-ECR-2',
  title: 'Model images are scanned for vulnerabilities on push',
  severity: 'MEDIUM',
  rationale: 'Scanning every pushed image gives the compliance gate findings to judge before the image can ship.',
  remediation:
    'Set ImageScanningConfiguration.ScanOnPush to true, or cover the repository with an enhanced scanning rule ' +
    '(environments[].enhancedScanning).',
  references: { nist80053: ['RA-5', 'SI-2', 'SI-3'], awsConfigRule: 'ECR_PRIVATE_IMAGE_SCANNING_ENABLED' },
  appliesTo: ['Repository'],
  check(facts) {
    if (facts.scanOnPush === undefined)
      return unknownValue('ImageScanningConfiguration.ScanOnPush', 'scanning is required');
    return facts.scanOnPush
      ? compliant('images are scanned on push')
      : nonCompliant(
          'images are not scanned on push (no ScanOnPush and no enhanced scanning rule covers the repository); scanning is required',
        );
  },
});

export const repositoryEncrypted = defineRule({
  id: 'MLOPS-ECR-3',
  title: 'Model image repository is encrypted with KMS',
  severity: 'MEDIUM',
  rationale:
    'Model images embed the model and often proprietary code; KMS encryption puts reads under a key policy and ' +
    'CloudTrail-logged key use, which the default AES256 encryption does not.',
  remediation:
    'Set EncryptionConfiguration.EncryptionType to KMS (or KMS_DSSE) with the platform’s customer-managed key.',
  references: { gdpr: ['Art. 32(1)(a)'], nist80053: ['SC-28', 'SC-13'], awsConfigRule: 'ECR_KMS_ENCRYPTION_1' },
  appliesTo: ['Repository'],
  check(facts) {
    const { type, kmsKey } = facts.encryption;
    if (type === undefined)
      return unknownValue('EncryptionConfiguration.EncryptionType', 'KMS or KMS_DSSE is required');
    if (type !== 'KMS' && type !== 'KMS_DSSE') {
      return nonCompliant(`encryption type is ${type}; KMS or KMS_DSSE is required`);
    }
    return compliant(`encryption type is ${type}${kmsKey ? ` with key ${kmsKey.id}` : ''}`);
  },
});

export const repositoryLifecyclePolicy = defineRule({
  id: 'MLOPS-ECR-4',
  title: 'Model image repository has a lifecycle policy',
  severity: 'LOW',
  rationale:
    'Old, unpatched images pile up without a lifecycle policy; they cost money and remain deployable long after ' +
    'their vulnerabilities are known.',
  remediation: 'Set LifecyclePolicy.LifecyclePolicyText to rules that expire untagged and superseded images.',
  references: { nist80053: ['CM-8', 'SI-12'], awsConfigRule: 'ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED' },
  appliesTo: ['Repository'],
  check(facts) {
    return facts.hasLifecyclePolicy
      ? compliant('a lifecycle policy is configured')
      : nonCompliant('no lifecycle policy is configured; one is required');
  },
});

export const repositoryPolicyNotOpen = defineRule({
  id: 'MLOPS-ECR-5',
  title: 'Model image repository policy grants nothing to an unrestricted principal',
  severity: 'HIGH',
  rationale:
    'A repository policy that allows "*" lets every AWS account pull the model image (the model, its weights and ' +
    'code) or, with push actions, replace it.',
  remediation:
    'Name the accounts or roles that may pull (the environments’ accounts), or pin the caller with a condition on ' +
    'aws:PrincipalAccount or aws:PrincipalOrgID.',
  references: { nist80053: ['AC-3', 'AC-6', 'SI-7'] },
  appliesTo: ['Repository'],
  check(facts) {
    return judgeOpenToAnyPrincipal(facts.policyStatements, 'repository policy');
  },
});
