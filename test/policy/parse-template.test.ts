/**
 * Reading a template: what CloudFormation itself refuses is refused here too, with a message that says why, before
 * any rule runs.
 */
import { CLOUDFORMATION_LIMITS, parseTemplate } from '../../core/policy/parse-template';
import { factsFromTemplate } from '../../core/policy/from-cloudformation';

const resources = (n: number) =>
  JSON.stringify({
    Resources: Object.fromEntries(Array.from({ length: n }, (_, i) => [`B${i}`, { Type: 'AWS::S3::Bucket' }])),
  });

describe('parseTemplate', () => {
  test.each([
    ['a list', 'Resources:\n  - A\n  - B\n', /got a list/],
    ['a string', 'Resources: hello\n', /got a string/],
    ['!!binary', 'Resources: !!binary aGVsbG8=\n', /got binary data \(!!binary\)/],
    ['a number (JSON)', '{"Resources": 3}', /got a number/],
  ])('rejects Resources given as %s with a clear error', (_name, text, message) => {
    // GIVEN a template whose Resources is not a map WHEN read THEN a clear error, never "0 resources judged"
    expect(() => parseTemplate(text, 't.yaml')).toThrow(message);
    expect(() => parseTemplate(text, 't.yaml')).toThrow(/t\.yaml: Resources must be a map of logical id -> resource/);
  });

  test('accepts CloudFormation’s 500 resources and refuses 501', () => {
    expect(
      Object.keys(parseTemplate(resources(CLOUDFORMATION_LIMITS.resources), 't.json').Resources ?? {}),
    ).toHaveLength(500);
    expect(() => parseTemplate(resources(501), 't.json')).toThrow(
      /t\.json: 501 resources is over CloudFormation's limit of 500 per template/,
    );
  });

  test('refuses a body over 1 MB before parsing it (even when it is not valid JSON)', () => {
    // GIVEN 1 MB + 1 byte of text that would not even parse
    const text = `{${' '.repeat(CLOUDFORMATION_LIMITS.templateBytes)}`;
    // WHEN read THEN the size is the reason, not a parse error
    expect(() => parseTemplate(text, 'big.json')).toThrow(
      /over CloudFormation's template size limit of 1,048,576 bytes/,
    );
  });

  test('the adapter refuses a Resources that is not a map too (templates given as objects)', () => {
    expect(() => factsFromTemplate({ Resources: ['A'] as never })).toThrow(/Resources must be an object.*a list/);
  });
});
