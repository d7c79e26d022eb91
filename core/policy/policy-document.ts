/**
 * IAM policy documents (identity policies, key policies, bucket policies) -> normalized statements, and the
 * questions every adapter and rule asks of them. One definition: the CloudFormation adapter (intrinsics), the
 * Terraform adapter (plan JSON) and the live-AWS adapter (policy JSON strings) all normalize through
 * `normalizeStatements`, so "does this policy enforce TLS on this bucket" has one answer.
 *
 * Pure: no SDK, no aws-cdk-lib.
 */
import { PolicyStatementFacts } from './facts';

/**
 * How an adapter renders one value of a document: `text` is the value as a string (`${Bucket.Arn}` for intrinsics),
 * `opaque` is true when the source alone cannot tell what it evaluates to (a parameter, a condition, an import).
 */
export type ValueRenderer = (v: unknown) => { readonly text: string; readonly opaque: boolean };

/** Literal documents (run time, plan time): strings are themselves, anything else is JSON and opaque. */
export const literalRenderer: ValueRenderer = (v) =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? { text: String(v), opaque: false }
    : { text: JSON.stringify(v) ?? 'undefined', opaque: true };

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A document as the source holds it (object, or JSON string at run time) -> statements; undefined when the document
 * itself is not shown (an intrinsic, unparsable JSON). A statement list behind an intrinsic counts as one unknown
 * statement so rules cannot call it compliant.
 */
export function normalizeStatements(
  doc: unknown,
  render: ValueRenderer = literalRenderer,
): PolicyStatementFacts[] | undefined {
  let parsed = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(decodeURIComponentSafe(doc));
    } catch {
      return undefined;
    }
  }
  if (!isObj(parsed)) return undefined;
  const raw = parsed.Statement;
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((s) => normalizeStatement(s, render));
}

/** IAM returns policy documents URL-encoded (GetPolicyVersion, GetRolePolicy); other APIs return plain JSON. */
function decodeURIComponentSafe(text: string): string {
  if (text.trimStart().startsWith('{')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

type StatementPart = NonNullable<PolicyStatementFacts['unknownParts']>[number];

function normalizeStatement(statement: unknown, render: ValueRenderer): PolicyStatementFacts {
  if (!isObj(statement)) {
    return {
      effect: undefined,
      principals: [],
      actions: [],
      resources: [],
      conditions: [],
      unknown: true,
      unknownParts: ['effect', 'principal', 'action', 'resource', 'condition'],
    };
  }
  const parts = new Set<StatementPart>();
  let part: StatementPart = 'effect';
  const strings = (v: unknown): string[] => {
    if (v === undefined) return [];
    const items = Array.isArray(v) ? v : [v];
    return items.map((x) => {
      const r = render(x);
      if (r.opaque) parts.add(part);
      return r.text;
    });
  };
  const effectText = render(statement.Effect);
  if (effectText.opaque) parts.add('effect');
  part = 'principal';
  const effect = effectText.text === 'Allow' || effectText.text === 'Deny' ? effectText.text : undefined;
  let principals: string[] = [];
  const p = statement.Principal ?? statement.NotPrincipal;
  if (p === '*') principals = ['*'];
  else if (isObj(p) && !isIntrinsic(p)) principals = Object.values(p).flatMap(strings);
  else if (p !== undefined) principals = strings(p);
  const conditions: PolicyStatementFacts['conditions'][number][] = [];
  const cond = statement.Condition;
  part = 'condition';
  if (cond !== undefined) {
    if (!isObj(cond) || isIntrinsic(cond)) parts.add('condition');
    else
      for (const [operator, body] of Object.entries(cond)) {
        if (!isObj(body) || isIntrinsic(body)) {
          parts.add('condition');
          continue;
        }
        for (const [key, values] of Object.entries(body)) conditions.push({ operator, key, values: strings(values) });
      }
  }
  part = 'action';
  const actions = strings(statement.Action);
  const notActions = statement.NotAction !== undefined ? strings(statement.NotAction) : undefined;
  part = 'resource';
  const resources = strings(statement.Resource);
  const notResources = statement.NotResource !== undefined ? strings(statement.NotResource) : undefined;
  return {
    ...(typeof statement.Sid === 'string' ? { sid: statement.Sid } : {}),
    effect,
    principals,
    ...(statement.NotPrincipal !== undefined ? { notPrincipal: true } : {}),
    actions,
    ...(notActions !== undefined ? { notActions } : {}),
    resources,
    ...(notResources !== undefined ? { notResources } : {}),
    conditions,
    ...(parts.size > 0 ? { unknown: true, unknownParts: [...parts] } : {}),
  };
}

function isIntrinsic(v: Obj): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] ?? '').startsWith('Fn::'));
}

/** IAM action globbing (`*` and `?`), case-insensitive as IAM matches actions. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return re.test(action);
}

/** The statement grants (or denies) `action`: an `Action` pattern matches it, or `NotAction` does not exclude it. */
export function coversAction(s: PolicyStatementFacts, action: string): boolean {
  if (s.notActions !== undefined) return !s.notActions.some((p) => actionMatches(p, action));
  return s.actions.some((p) => actionMatches(p, action));
}

/** Every principal: `"Principal": "*"` or `{"AWS": "*"}` (NotPrincipal is never "everyone" here). */
export function isEveryone(s: PolicyStatementFacts): boolean {
  return s.notPrincipal !== true && s.principals.includes('*');
}

/** Where an S3 resource ARN points, relative to one bucket. */
export type BucketScope = 'everything' | 'bucket' | 'all-objects' | 'other';

/**
 * The scope of one `Resource` entry relative to a bucket known by any of `names` (its literal name, or the
 * adapter's rendering of a reference to it such as `${CaptureBucket}`). Partition literals and `${AWS::Partition}`
 * are the same; `${X.Arn}` is `arn:<partition>:s3:::${X}`.
 */
export function bucketScope(resource: string, names: readonly string[]): BucketScope {
  if (resource === '*') return 'everything';
  const canonical = resource
    .replace(/^\$\{([^}.]+)\.Arn\}/, 'arn:s3:::${$1}')
    .replace(/^arn:(aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):s3:::/, 'arn:s3:::');
  for (const n of names) {
    if (canonical === `arn:s3:::${n}`) return 'bucket';
    if (canonical === `arn:s3:::${n}/*`) return 'all-objects';
  }
  return 'other';
}

/**
 * A statement that denies every S3 action on the bucket and on all of its objects to every principal over plain
 * HTTP (CDK's `enforceSSL`). A deny narrowed to some actions, some principals, a prefix or another bucket leaves the
 * rest open, so it does not count.
 */
export function deniesInsecureTransport(s: PolicyStatementFacts, bucketNames: readonly string[]): boolean {
  // Resources written with a parameter still match when they name the bucket exactly as its BucketName does.
  if (
    (s.unknownParts ?? []).some((p) => p !== 'resource') ||
    s.effect !== 'Deny' ||
    !isEveryone(s) ||
    s.notActions !== undefined
  )
    return false;
  if (s.notResources !== undefined) return false;
  const insecure = s.conditions.some(
    (c) => c.operator === 'Bool' && c.key.toLowerCase() === 'aws:securetransport' && c.values.includes('false'),
  );
  if (!insecure) return false;
  // Any further condition narrows the deny to some requests.
  if (s.conditions.length !== 1) return false;
  if (!s.actions.some((a) => a === 's3:*' || a === '*')) return false;
  const scopes = new Set(s.resources.map((r) => bucketScope(r, bucketNames)));
  return scopes.has('everything') || (scopes.has('bucket') && scopes.has('all-objects'));
}

/** Whether some statement of a bucket policy enforces TLS on the bucket; undefined when the policy is unknown. */
export function enforcesTls(
  statements: readonly PolicyStatementFacts[] | undefined,
  bucketNames: readonly string[],
): boolean | undefined {
  if (statements === undefined) return undefined;
  if (statements.some((s) => deniesInsecureTransport(s, bucketNames))) return true;
  // A statement with unknown parts might be the deny: unknown, not false.
  return statements.some(mightDenyInsecureTransport) ? undefined : false;
}

/** Rendered intrinsics look like `${Param}` or JSON: such an action might be anything. */
const opaqueText = (t: string) => t.includes('${') || t.startsWith('{') || t.startsWith('[');

/**
 * An unknown statement that could still turn out to be the TLS deny: not a known Allow, an action that is or may be
 * `s3:*`, and a condition that is or may be on aws:SecureTransport. A VPC-only deny with a parameter in its
 * condition cannot, whatever the parameter says.
 */
function mightDenyInsecureTransport(s: PolicyStatementFacts): boolean {
  if (!s.unknown || s.effect === 'Allow' || s.notActions !== undefined) return false;
  const actionMay = s.actions.some((a) => a === 's3:*' || a === '*' || opaqueText(a));
  const conditionMay =
    s.conditions.length === 0 ||
    s.conditions.some((c) => c.key.toLowerCase() === 'aws:securetransport' || c.values.some(opaqueText));
  return actionMay && conditionMay;
}

/**
 * An ARN's colon-separated fields, with the pseudo parameters an adapter renders (`${AWS::Partition}`,
 * `${AWS::AccountId}`, `${AWS::Region}`) kept whole: their own `::` is not a field separator.
 */
export function arnParts(arn: string): string[] {
  return arn
    .replace(/\$\{AWS::([A-Za-z]+)\}/g, '$${AWS__$1}')
    .split(':')
    .map((p) => p.replace(/\$\{AWS__([A-Za-z]+)\}/g, '$${AWS::$1}'));
}

/**
 * A principal value that names any AWS principal: `*`, or an IAM ARN whose account is a wildcard
 * (`arn:aws:iam::*:root`, `arn:*:iam::*:role/x`).
 */
export function isAnyPrincipalValue(principal: string): boolean {
  if (principal === '*') return true;
  const parts = arnParts(principal);
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === 'iam' && /[*?]/.test(parts[4] ?? '');
}

/**
 * An Allow statement whose principal is any AWS principal: `*`, an account wildcard, or a `NotPrincipal` (every
 * principal except the ones named).
 */
export function allowsAnyPrincipal(s: PolicyStatementFacts): boolean {
  if (s.effect !== 'Allow') return false;
  if (s.notPrincipal === true) return true;
  return s.principals.some(isAnyPrincipalValue);
}

/**
 * Condition keys that pin *who* the caller is. Other conditions (`kms:ViaService`, `aws:SecureTransport`,
 * encryption context) restrict how a call is made, not by whom, so an `*` principal with only those still lets
 * any account in.
 */
export const PRINCIPAL_RESTRICTING_CONDITION_KEYS: readonly string[] = [
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalServiceName',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOrgID',
  'aws:userid',
  'kms:CallerAccount',
].map((k) => k.toLowerCase());

const ARN_KEYS = new Set(['aws:principalarn', 'aws:sourcearn']);
const WILDCARD = /[*?]/;

/**
 * One condition value pins the caller: under a `...Like` or `Arn...` operator (both match wildcards) the part
 * that names the account or organisation carries no wildcard; under `StringEquals` every value is literal.
 */
function valuePins(key: string, operator: string, value: string): boolean {
  const wildcards = /like$/i.test(operator) || /^arn/i.test(operator);
  if (!wildcards) return value !== '';
  if (ARN_KEYS.has(key)) {
    const parts = arnParts(value);
    if (parts.length < 6 || parts[0] !== 'arn') return false;
    const account = parts[4] ?? '';
    // An S3 ARN has no account: the bucket name must then be literal from its start.
    return account !== '' ? !WILDCARD.test(account) : !/^[*?]/.test(parts.slice(5).join(':'));
  }
  if (key === 'aws:principalorgpaths' || key === 'aws:userid') return value !== '' && !/^[*?]/.test(value);
  return value !== '' && !WILDCARD.test(value);
}

/**
 * Some condition of the statement pins who the caller is (its account, organisation, ARN or service), so a `*`
 * principal is not everyone. A condition that is always true restricts nothing: a wildcard value
 * (`StringLike aws:PrincipalArn "*"`, `arn:aws:iam::*:*`), a negated operator (`StringNotEquals`), `...IfExists`
 * (true when the key is absent), `ForAllValues:` (true for an empty set) or a key that does not identify the caller
 * (`Bool aws:SecureTransport true`).
 */
export function restrictsCaller(s: PolicyStatementFacts): boolean {
  return s.conditions.some((c) => {
    const key = c.key.toLowerCase();
    if (!PRINCIPAL_RESTRICTING_CONDITION_KEYS.includes(key)) return false;
    if (/IfExists$/i.test(c.operator) || /^ForAllValues:/i.test(c.operator)) return false;
    const op = c.operator.replace(/^ForAnyValue:/i, '');
    if (!/^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i.test(op)) return false;
    return c.values.length > 0 && c.values.every((v) => valuePins(key, op, v));
  });
}

/** The 12-digit account a principal value names (`123456789012`, `arn:aws:iam::123456789012:root|role/x`). */
export function principalAccount(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const parts = arnParts(principal);
  if (parts.length >= 6 && parts[0] === 'arn' && (parts[2] === 'iam' || parts[2] === 'sts')) return parts[4];
  return undefined;
}
