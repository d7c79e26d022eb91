/**
 * Container image references -> where they come from and how they are pinned: the one reading of an image URI,
 * shared by the adapters (synth, plan, run) so that the image-source rule sees the same facts from each.
 *
 * Pure: no SDK, no aws-cdk-lib.
 */
import { ImageSourceFacts, NOT_ECR, SELF_ACCOUNT } from './facts';

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`; the URL suffix may be the rendered pseudo parameter. */
const ECR_REGISTRY = /^([^./]+)\.dkr\.ecr(-fips)?\.[^./]+\.(amazonaws\.com(\.cn)?|\$\{AWS::URLSuffix\})$/;

/** A rendered value the source could not resolve (`${Param}`, JSON of an intrinsic). */
const opaque = (t: string) => t.includes('${') || t.includes('{');

/**
 * How an image reference is pinned: its digest, its tag, or `latest` when it has neither (Docker's default);
 * undefined when the reference's last part is not shown.
 */
export function imagePin(uri: string): ImageSourceFacts['pin'] {
  const at = uri.lastIndexOf('@');
  if (at >= 0) {
    const digest = uri.slice(at + 1);
    return opaque(digest) ? undefined : { digest };
  }
  const lastPart = uri.slice(uri.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon < 0) return opaque(lastPart) ? undefined : { tag: 'latest' };
  const tag = lastPart.slice(colon + 1);
  return opaque(tag) || tag === '' ? undefined : { tag };
}

/**
 * The registry account of an image URI: a 12-digit literal, `SELF` for `${AWS::AccountId}`, `NOT_ECR` for any
 * registry that is not private ECR (Docker Hub, public.ecr.aws, quay.io...), undefined when not shown.
 */
export function imageRegistryAccount(uri: string): string | undefined {
  const slash = uri.indexOf('/');
  const first = slash < 0 ? '' : uri.slice(0, slash);
  const m = ECR_REGISTRY.exec(first);
  if (m) {
    const account = m[1] ?? '';
    if (/^\d{12}$/.test(account)) return account;
    if (account === '${AWS::AccountId}') return SELF_ACCOUNT;
    return undefined;
  }
  // A reference without a slash is a Docker Hub library image, unless it is itself an unresolved value.
  if (opaque(slash < 0 ? uri : first)) return undefined;
  // Docker Hub, public.ecr.aws, quay.io, a private registry host...: not the project's ECR.
  return NOT_ECR;
}

/** Both facts of one literal (or rendered) image URI. */
export function imageSourceOf(uri: string): ImageSourceFacts {
  return { uri, registryAccount: imageRegistryAccount(uri), pin: imagePin(uri) };
}
