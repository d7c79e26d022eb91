/**
 * Which buckets endpoints capture to, from the endpoint configs themselves: the capture-retention rule must judge the
 * bucket an endpoint actually writes captured data to, tagged or not. One definition for every adapter (the
 * CloudFormation adapter within a template, the run-time collector across the account).
 *
 * Pure: no SDK, no aws-cdk-lib.
 */
import { ResourceFacts } from './facts';

/** The bucket of an `s3://bucket/prefix` URI (as the source shows it: a literal or a rendered `${Bucket}`). */
export function bucketOfS3Uri(uri: string): string | undefined {
  return /^s3:\/\/([^/]+)/.exec(uri)?.[1];
}

/**
 * The resources, with `captureDestination` set on every bucket that an endpoint config with capture not known to be
 * off names as its DestinationS3Uri (by its name, or by the adapter's rendering of a reference to it, `${Id}`).
 */
export function withCaptureDestinations(resources: readonly ResourceFacts[]): ResourceFacts[] {
  const targets = new Set<string>();
  for (const r of resources) {
    if (r.kind !== 'EndpointConfig' || r.dataCapture === undefined || r.dataCapture.enabled === false) continue;
    const bucket =
      r.dataCapture.destinationS3Uri !== undefined ? bucketOfS3Uri(r.dataCapture.destinationS3Uri) : undefined;
    if (bucket !== undefined) targets.add(bucket);
  }
  if (targets.size === 0) return [...resources];
  return resources.map((r) =>
    r.kind === 'Bucket' && ((r.name !== undefined && targets.has(r.name)) || targets.has(`\${${r.id}}`))
      ? { ...r, captureDestination: true }
      : r,
  );
}
