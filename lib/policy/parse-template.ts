/**
 * Reads a CloudFormation template from text: JSON, or YAML with the short-form intrinsics (`!Ref`, `!Sub`,
 * `!GetAtt A.B`, `!If [...]`, ...) turned into their long form (`{ "Fn::GetAtt": ["A", "B"] }`), which is what the
 * CloudFormation adapter reads. Uses the `yaml` package because it supports custom tags on scalars, sequences and
 * maps; a plain YAML loader rejects `!Ref` or drops the tag.
 */
import { parse, Scalar, ScalarTag, CollectionTag, YAMLMap, YAMLSeq } from 'yaml';
import { CfnTemplate } from './from-cloudformation';

/** Short-form tags and the long-form key each becomes. `!Ref` and `!Condition` are not `Fn::`. */
const INTRINSICS: Readonly<Record<string, string>> = {
  Ref: 'Ref',
  Condition: 'Condition',
  ...Object.fromEntries(
    [
      'And',
      'Base64',
      'Cidr',
      'Equals',
      'FindInMap',
      'GetAtt',
      'GetAZs',
      'If',
      'ImportValue',
      'Join',
      'Length',
      'Not',
      'Or',
      'Select',
      'Split',
      'Sub',
      'ToJsonString',
      'Transform',
    ].map((n) => [n, `Fn::${n}`]),
  ),
};

function longForm(key: string, value: unknown): Record<string, unknown> {
  // `!GetAtt Resource.Attribute` is the one short form whose scalar is split.
  if (key === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [key]: value };
}

function tags(): (ScalarTag | CollectionTag)[] {
  const out: (ScalarTag | CollectionTag)[] = [];
  for (const [name, key] of Object.entries(INTRINSICS)) {
    const tag = `!${name}`;
    out.push({ tag, identify: () => false, resolve: (v: string) => longForm(key, v) } as ScalarTag);
    for (const collection of ['seq', 'map'] as const) {
      out.push({
        tag,
        collection,
        identify: () => false,
        resolve: (node: YAMLSeq | YAMLMap) => new Scalar(longForm(key, node.toJSON())),
      } as unknown as CollectionTag);
    }
  }
  return out;
}

/** Thrown when the text is neither a JSON nor a YAML template; the message names the source and the position. */
export class TemplateParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateParseError';
  }
}

export function parseTemplate(text: string, source: string): CfnTemplate {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{')
      ? JSON.parse(text)
      : parse(text, { customTags: tags(), version: '1.1', maxAliasCount: 1000 });
  } catch (err) {
    throw new TemplateParseError(`${source}: not a JSON or YAML template: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TemplateParseError(
      `${source}: a template must be a JSON/YAML object, got ${JSON.stringify(doc)?.slice(0, 80)}`,
    );
  }
  const resources = (doc as CfnTemplate).Resources;
  if (typeof resources !== 'object' || resources === null) {
    throw new TemplateParseError(`${source}: no Resources section; is this a CloudFormation template?`);
  }
  return doc as CfnTemplate;
}
