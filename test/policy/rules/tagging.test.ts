import { dataClassificationTagged, requiredTagsPresent } from '../../../core/policy/rules/tagging';
import { bucket, check, ctx, endpoint, image, model, repository, TAGS_OK } from '../../support/policy-facts';

describe('MLOPS-TAG-1 required tags', () => {
  test('passes with every required tag', () => {
    // GIVEN a model with Owner, CostCenter and DataClassification
    // WHEN checked
    const result = check(requiredTagsPresent, model());
    // THEN compliant
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toContain('Owner, CostCenter, DataClassification');
  });

  test('fails when a tag is missing, naming it', () => {
    // GIVEN a bucket without CostCenter
    const facts = bucket({ tags: { Owner: 'ml', DataClassification: 'internal' } });
    // WHEN checked
    const result = check(requiredTagsPresent, facts);
    // THEN non-compliant, naming the missing, required and present keys
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('missing or empty required tags [CostCenter]');
    expect(result.reason).toContain('present [Owner, DataClassification]');
  });

  test('fails when a tag value is empty', () => {
    // GIVEN an empty Owner
    const facts = repository({ tags: { ...TAGS_OK, Owner: ' ' } });
    // WHEN checked
    const result = check(requiredTagsPresent, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('[Owner]');
  });

  test('is not applicable when tags are unknown', () => {
    // GIVEN a source that cannot show tags
    const facts = endpoint({ tags: undefined });
    // WHEN checked
    const result = check(requiredTagsPresent, facts);
    // THEN not applicable, with the reason
    expect(result.status).toBe('NOT_APPLICABLE');
    expect(result.reason).toContain('does not show');
  });

  test('is not applicable to images', () => {
    // GIVEN an image (not a taggable resource)
    // WHEN checked
    const result = check(requiredTagsPresent, image(), ctx());
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
  });
});

describe('MLOPS-TAG-2 data classification', () => {
  test('passes with an allowed value', () => {
    // GIVEN DataClassification confidential
    // WHEN checked
    const result = check(dataClassificationTagged, model());
    // THEN compliant, naming the value
    expect(result.status).toBe('COMPLIANT');
    expect(result.reason).toBe('DataClassification is confidential');
  });

  test('fails with a value outside the list', () => {
    // GIVEN DataClassification secret
    const facts = model({ tags: { ...TAGS_OK, DataClassification: 'secret' } });
    // WHEN checked
    const result = check(dataClassificationTagged, facts);
    // THEN non-compliant, naming the value and the allowed list
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toBe(
      'DataClassification is "secret", not one of [public, internal, confidential, restricted]',
    );
  });

  test('fails without the tag', () => {
    // GIVEN no DataClassification tag
    const facts = model({ tags: { Owner: 'ml' } });
    // WHEN checked
    const result = check(dataClassificationTagged, facts);
    // THEN non-compliant
    expect(result.status).toBe('NON_COMPLIANT');
    expect(result.reason).toContain('no DataClassification tag');
  });

  test('is not applicable when tags are unknown', () => {
    // GIVEN unknown tags
    const facts = model({ tags: undefined });
    // WHEN checked
    const result = check(dataClassificationTagged, facts);
    // THEN not applicable
    expect(result.status).toBe('NOT_APPLICABLE');
  });
});
