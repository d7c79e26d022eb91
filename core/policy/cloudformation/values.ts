/**
 * Reading a template's property values: literals, booleans and numbers as CloudFormation accepts them, a
 * readable rendering of intrinsics, tags, and the facts every resource has (id, name, region, account, tags).
 */
import { arr, isObj, obj, Obj, str } from '../adapter-readings';
import { FromTemplateOptions } from './template';

/** CloudFormation accepts both `true` and `"true"`; an intrinsic is unknown. */
function bool(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/** A boolean property: absent -> the service default; literal -> itself; an intrinsic -> unknown. */
export function flag(v: unknown, absent: boolean): boolean | undefined {
  return v === undefined ? absent : bool(v);
}

/**
 * The properties of a resource whose whole `Properties` is behind an intrinsic: every property reads as hidden
 * (an `Fn::If` the adapter cannot evaluate), so each fact is unknown rather than the absent default.
 */
export const HIDDEN_PROPERTIES: Obj = new Proxy(
  {},
  {
    get: (_target, key) =>
      typeof key === 'string' ? { 'Fn::If': ['(the resource’s Properties are behind a condition)', key] } : undefined,
    has: () => true,
  },
);

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

/** The logical id (or pseudo parameter) a `Ref` / `Fn::GetAtt` points at. */
export function refTarget(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/**
 * A readable rendering of a value for reports: intrinsics in `Fn::Sub` syntax (`${Repo}`, `${Key.Arn}`), joins and
 * substitutions flattened, anything else as JSON. Used where facts hold strings the template cannot resolve.
 */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isObj(v)) {
    if (typeof v.Ref === 'string') return `\${${v.Ref}}`;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.map(renderValue).join('.')}}`;
    if (typeof getAtt === 'string') return `\${${getAtt}}`;
    const join = arr(v['Fn::Join']);
    if (join && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(renderValue).join(join[0]);
    const select = arr(v['Fn::Select']);
    if (select && select.length === 2) {
      const split = isObj(select[1]) ? arr(select[1]['Fn::Split']) : undefined;
      const index = num(select[0]);
      // A literal split is computed; CDK's account/region-from-ARN pattern stays symbolic but readable.
      if (split && typeof split[0] === 'string' && typeof split[1] === 'string' && index !== undefined) {
        return split[1].split(split[0])[index] ?? JSON.stringify(v);
      }
      if (split && typeof split[0] === 'string') {
        return `\${Select(${renderValue(select[0])}, Split("${split[0]}", ${renderValue(split[1])}))}`;
      }
    }
    const sub = v['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') {
      const vars = isObj(sub[1]) ? sub[1] : {};
      return sub[0].replace(/\$\{([^}!][^}]*)\}/g, (m, name: string) => (name in vars ? renderValue(vars[name]) : m));
    }
  }
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * CloudFormation `Tags: [{ Key, Value }]`. Absent tags are an empty record (the template shows there are none); a
 * tag list hidden behind an intrinsic is undefined. Intrinsic values are rendered, so they count as present.
 */
function tagsOf(props: Obj): Record<string, string> | undefined {
  if (props.Tags === undefined) return {};
  const list = arr(props.Tags);
  if (list === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const t of list) {
    const tag = obj(t);
    const key = str(tag?.Key);
    if (tag === undefined || key === undefined) return undefined;
    tags[key] = renderValue(tag.Value);
  }
  return tags;
}

/** A tag value only when it is a literal: a rendered intrinsic must not decide a rule's applicability. */
export function literalTag(props: Obj, key: string): string | undefined {
  for (const t of arr(props.Tags) ?? []) {
    const tag = obj(t);
    if (tag?.Key === key) return str(tag.Value);
  }
  return undefined;
}

/** Common facts; `nameProp` is the property holding the AWS name (none for resources without one, e.g. KMS keys). */
export function base(id: string, props: Obj, nameProp: string | undefined, opts: FromTemplateOptions) {
  const name = nameProp === undefined ? undefined : str(props[nameProp]);
  const tags = tagsOf(props);
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    ...(tags !== undefined ? { tags } : {}),
  };
}

/**
 * A list property whose entries are rendered. A whole-list intrinsic (a `List<...>` parameter, `Fn::Split`) counts
 * as one unknown entry: CloudFormation rejects the empty list for the properties this is used on, so something is there.
 */
export function renderedList(v: unknown): string[] {
  if (v === undefined) return [];
  return (arr(v) ?? [v]).map(renderValue);
}
