import { CompliancePolicy } from '../context';
import { compliant, defineRule, nonCompliant, unknownValue } from '../rule';

/** The one definition of data residency, shared by the rule below and by config validation. */
export function isRegionAllowed(region: string, policy: Pick<CompliancePolicy, 'allowedRegions'>): boolean {
  return policy.allowedRegions.includes(region);
}

export const regionAllowed = defineRule({
  id: 'MLOPS-GDPR-1',
  title: 'Resources that hold or process inference data live in an allowed region',
  severity: 'HIGH',
  rationale:
    'Personal data in inference requests and captured payloads must stay where the organisation has a lawful basis ' +
    'to process it; transfers outside need safeguards (GDPR Chapter V).',
  remediation: 'Deploy the environment to one of compliance.allowedRegions, or add the region after a legal review.',
  references: { gdpr: ['Art. 44', 'Art. 5(1)(f)'], nist80053: ['SC-7', 'PL-2'] },
  appliesTo: ['Model', 'EndpointConfig', 'Endpoint', 'Repository', 'Bucket'],
  check(facts, { policy }) {
    // An environment-agnostic template deploys wherever it is sent: its region is AWS::Region, a parameter.
    if (facts.region === undefined) {
      return unknownValue(
        'the region (environment-agnostic source: AWS::Region)',
        `deploy only to [${policy.allowedRegions.join(', ')}] and give the stack an explicit region`,
      );
    }
    return isRegionAllowed(facts.region, policy)
      ? compliant(`region ${facts.region} is allowed`)
      : nonCompliant(`region ${facts.region} is not in the allowed regions [${policy.allowedRegions.join(', ')}]`);
  },
});
