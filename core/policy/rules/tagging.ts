/**
 * Tagging rules (area TAG): ownership, cost and data classification must be readable from every resource, because
 * reviewers, cost reports and the run-time checker find resources by their tags.
 */
import { TAGS } from '../facts';
import { compliant, defineRule, nonCompliant, notApplicable } from '../rule';

const TAGGABLE = ['Model', 'EndpointConfig', 'Endpoint', 'Repository', 'Bucket'] as const;

export const requiredTagsPresent = defineRule({
  id: 'MLOPS-TAG-1',
  title: 'Resources carry every required tag',
  severity: 'LOW',
  rationale:
    'Untagged resources have no accountable owner or cost centre, so incidents and costs cannot be routed and ' +
    'orphans are never cleaned up.',
  remediation: 'Add the missing keys to the config’s top-level tags (applied to every resource by the Stage).',
  references: { nist80053: ['CM-8', 'PM-5'], awsConfigRule: 'REQUIRED_TAGS' },
  appliesTo: TAGGABLE,
  check(facts, { policy }) {
    if (facts.tags === undefined) return notApplicable('the source does not show this resource’s tags');
    const tags = facts.tags;
    // An empty value carries no owner or cost centre: it counts as missing.
    const missing = policy.requiredTags.filter((k) => (tags[k] ?? '').trim() === '');
    return missing.length === 0
      ? compliant(`all required tags are present [${policy.requiredTags.join(', ')}]`)
      : nonCompliant(
          `missing or empty required tags [${missing.join(', ')}]; required [${policy.requiredTags.join(', ')}], ` +
            `present [${Object.keys(tags).join(', ')}]`,
        );
  },
});

export const dataClassificationTagged = defineRule({
  id: 'MLOPS-TAG-2',
  title: `Resources carry a ${TAGS.DATA_CLASSIFICATION} tag with an allowed value`,
  severity: 'MEDIUM',
  rationale:
    'The data classification decides who may access a resource and how long its data may be kept; records of ' +
    'processing (GDPR Art. 30) need it to be explicit and from a fixed vocabulary.',
  remediation: `Set models[].dataClassification to one of compliance.dataClassifications; it becomes the ${TAGS.DATA_CLASSIFICATION} tag.`,
  references: { gdpr: ['Art. 30', 'Art. 32(2)'], nist80053: ['RA-2', 'CM-8'], awsConfigRule: 'REQUIRED_TAGS' },
  appliesTo: TAGGABLE,
  check(facts, { policy }) {
    if (facts.tags === undefined) return notApplicable('the source does not show this resource’s tags');
    const value = facts.tags[TAGS.DATA_CLASSIFICATION];
    const allowed = policy.dataClassifications.join(', ');
    if (value === undefined) return nonCompliant(`no ${TAGS.DATA_CLASSIFICATION} tag; one of [${allowed}] is required`);
    return policy.dataClassifications.includes(value)
      ? compliant(`${TAGS.DATA_CLASSIFICATION} is ${value}`)
      : nonCompliant(`${TAGS.DATA_CLASSIFICATION} is "${value}", not one of [${allowed}]`);
  },
});
