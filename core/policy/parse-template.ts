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

/**
 * What CloudFormation itself refuses (its published quotas): a template body over 1 MB (passed through S3; 51,200
 * bytes inline) and more than 500 resources. A policy tool that read beyond them would judge what can never deploy,
 * and pay for it: both are checked before the template is adapted, the size before it is parsed at all.
 */
export const CLOUDFORMATION_LIMITS = { templateBytes: 1024 * 1024, resources: 500 } as const;

/** The size check alone, for callers that can refuse a file before reading it. */
export function checkTemplateSize(bytes: number, source: string): void {
  if (bytes > CLOUDFORMATION_LIMITS.templateBytes) {
    throw new TemplateParseError(
      `${source}: ${bytes.toLocaleString('en')} bytes is over CloudFormation's template size limit of ` +
        `${CLOUDFORMATION_LIMITS.templateBytes.toLocaleString('en')} bytes (1 MB, through S3), so CloudFormation would ` +
        'refuse it; split it into nested stacks',
    );
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data (!!binary)';
  if (v === null) return 'null';
  return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'non-plain'} object` : `a ${typeof v}`;
}

export function parseTemplate(text: string, source: string): CfnTemplate {
  checkTemplateSize(Buffer.byteLength(text, 'utf8'), source);
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
  if (resources === undefined || resources === null) {
    throw new TemplateParseError(`${source}: no Resources section; is this a CloudFormation template?`);
  }
  if (!isPlainObject(resources)) {
    throw new TemplateParseError(
      `${source}: Resources must be a map of logical id -> resource, got ${kindOf(resources)}; ` +
        'CloudFormation would refuse the template',
    );
  }
  const count = Object.keys(resources).length;
  if (count > CLOUDFORMATION_LIMITS.resources) {
    throw new TemplateParseError(
      `${source}: ${count} resources is over CloudFormation's limit of ${CLOUDFORMATION_LIMITS.resources} per ` +
        'template, so CloudFormation would refuse it; split it into nested stacks',
    );
  }
  return doc as CfnTemplate;
}
