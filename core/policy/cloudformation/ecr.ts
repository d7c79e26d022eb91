/**
 * Facts of a template's ECR repositories, with the registry scanning configuration of the template.
 */
import { arr, awsManagedKey, hidden, obj, Obj, scanFiltersCover, str } from '../adapter-readings';
import { cfnRenderer, keyRef } from './references';
import { CfnResource, FromTemplateOptions } from './template';
import { base, flag } from './values';
import { RepositoryFacts } from '../facts';
import { normalizeStatements } from '../policy-document';

/**
 * The registry scanning configuration of the template: its repository-name filters that scan on push (or, under
 * ENHANCED, continuously), and whether it is ENHANCED. The same reading as `registryScansOnPush` in from-aws.ts:
 * under ENHANCED scanning ECR ignores the repository-level ScanOnPush flag.
 */
interface RegistryScanning {
  readonly enhanced: boolean;
  readonly filters: readonly string[];
}

export function registryScanFilters(resources: Readonly<Record<string, CfnResource>>): RegistryScanning {
  const filters: string[] = [];
  let enhanced = false;
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ECR::RegistryScanningConfiguration') continue;
    const isEnhanced = str(r.Properties?.ScanType) === 'ENHANCED';
    enhanced ||= isEnhanced;
    for (const rule of arr(r.Properties?.Rules) ?? []) {
      const freq = str(obj(rule)?.ScanFrequency);
      if (freq !== 'SCAN_ON_PUSH' && !(isEnhanced && freq === 'CONTINUOUS_SCAN')) continue;
      for (const f of arr(obj(rule)?.RepositoryFilters) ?? []) {
        const filter = str(obj(f)?.Filter);
        if (filter !== undefined) filters.push(filter);
      }
    }
  }
  return { enhanced, filters };
}

export function repositoryFacts(
  id: string,
  props: Obj,
  resources: Readonly<Record<string, CfnResource>>,
  scanning: RegistryScanning,
  opts: FromTemplateOptions,
): RepositoryFacts {
  const name = str(props.RepositoryName);
  // A generated name is unknown here, so only a filter matching every name can be shown to cover it.
  const registryScans = scanFiltersCover(scanning.filters, name);
  const enc = obj(props.EncryptionConfiguration);
  const encType = enc?.EncryptionType;
  // Absent configuration means ECR's default AES256; an intrinsic type is unknown.
  const type: RepositoryFacts['encryption']['type'] = hidden(props.EncryptionConfiguration)
    ? undefined
    : enc === undefined || encType === undefined
      ? 'AES256'
      : encType === 'KMS' || encType === 'KMS_DSSE' || encType === 'AES256'
        ? encType
        : undefined;
  let kmsKey = keyRef(enc?.KmsKey, resources);
  // KMS without a key means the AWS-managed aws/ecr key.
  if ((type === 'KMS' || type === 'KMS_DSSE') && kmsKey === undefined) {
    kmsKey = awsManagedKey('ecr');
  }
  const policyText = obj(props.LifecyclePolicy)?.LifecyclePolicyText;
  const mutability = props.ImageTagMutability;
  const scanningConfig = props.ImageScanningConfiguration;
  const repoScanOnPush = hidden(scanningConfig) ? undefined : flag(obj(scanningConfig)?.ScanOnPush, false);
  return {
    ...base(id, props, 'RepositoryName', opts),
    kind: 'Repository',
    // IMMUTABLE_WITH_EXCLUSION leaves the excluded tags overwritable, so it does not count as immutable.
    tagImmutable:
      mutability === undefined ? false : typeof mutability === 'string' ? mutability === 'IMMUTABLE' : undefined,
    scanOnPush: registryScans || (scanning.enhanced ? false : repoScanOnPush),
    encryption: { type, ...((type === 'KMS' || type === 'KMS_DSSE') && kmsKey ? { kmsKey } : {}) },
    hasLifecyclePolicy: policyText !== undefined && policyText !== '',
    policyStatements: hidden(props.RepositoryPolicyText)
      ? undefined
      : props.RepositoryPolicyText === undefined
        ? []
        : normalizeStatements(props.RepositoryPolicyText, cfnRenderer(resources)),
  };
}
