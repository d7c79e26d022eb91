/**
 * Facts of a plan's ECR repositories, with the registry scanning, lifecycle and repository policy resources
 * that belong to them.
 */
import { awsManagedKey, scanFiltersCover, str } from '../adapter-readings';
import { RepositoryFacts } from '../facts';
import { base, joinedPolicies, keyRef } from './attributes';
import { Instance, parentOf, PlanIndex } from './plan-index';
import { arr, at, Path } from './plan';

/** Repository-name filters of registry scanning rules that scan on push or continuously. */
function registryScanFilters(index: PlanIndex): string[] {
  return index.ofType('aws_ecr_registry_scanning_configuration').flatMap((inst) =>
    arr(inst.known(['rule'])).flatMap((rule) => {
      const freq = str(at(rule, ['scan_frequency']));
      if (freq !== 'SCAN_ON_PUSH' && freq !== 'CONTINUOUS_SCAN') return [];
      return arr(at(rule, ['repository_filter'])).flatMap((f) => {
        const filter = str(at(f, ['filter']));
        return filter !== undefined ? [filter] : [];
      });
    }),
  );
}

export function repositoryFacts(inst: Instance, index: PlanIndex, region: string | undefined): RepositoryFacts {
  const name = str(inst.known(['name']));
  const registryScans = scanFiltersCover(registryScanFilters(index), name);
  const enc: Path = ['encryption_configuration', 0];
  const encType = str(inst.known([...enc, 'encryption_type']));
  // Absent configuration means ECR's default AES256; an unknown type is taken as the weakest, AES256.
  const type: RepositoryFacts['encryption']['type'] = encType === 'KMS' || encType === 'KMS_DSSE' ? encType : 'AES256';
  // KMS without a key means the AWS-managed aws/ecr key.
  const kmsKey = type === 'AES256' ? undefined : (keyRef(inst, [...enc, 'kms_key']) ?? awsManagedKey('ecr'));
  const hasLifecyclePolicy = index.ofType('aws_ecr_lifecycle_policy').some((p) => {
    if (parentOf(index, p, 'repository', 'aws_ecr_repository', 'name') !== inst) return false;
    return p.unknown(['policy']) || (str(p.known(['policy'])) ?? '') !== '';
  });
  return {
    ...base(inst, 'name', region),
    kind: 'Repository',
    // IMMUTABLE_WITH_EXCLUSION leaves the excluded tags overwritable, so it does not count as immutable.
    tagImmutable: inst.known(['image_tag_mutability']) === 'IMMUTABLE',
    scanOnPush: inst.known(['image_scanning_configuration', 0, 'scan_on_push']) === true || registryScans,
    encryption: { type, ...(kmsKey ? { kmsKey } : {}) },
    hasLifecyclePolicy,
    policyStatements: joinedPolicies(
      index
        .ofType('aws_ecr_repository_policy')
        .filter((p) => parentOf(index, p, 'repository', 'aws_ecr_repository', 'name') === inst),
    ),
  };
}
