/**
 * The events that start the detector, parsed with zod the way Powertools' parser does (`Schema.safeParse(event)`):
 * EventBridge S3 "Object Created" events (what the construct wires) and classic S3 notifications.
 */
import * as z from 'zod';
import { InputError } from '../shared/errors';
import { issueRule, pathString } from '../../core/contracts/problems';

export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** EventBridge's S3 "Object Created" event: the fields the detector reads. */
export const S3ObjectCreatedEventSchema = z.object({
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string() }),
  }),
});

/** A classic S3 event notification; keys arrive URL-encoded, spaces as '+'. */
export const S3NotificationEventSchema = z.object({
  Records: z.array(
    z.object({
      s3: z.object({
        bucket: z.object({ name: z.string() }),
        object: z.object({ key: z.string() }),
      }),
    }),
  ),
});

/** EventBridge's schedule: the hourly tick that publishes how long labels have been missing. */
export function isScheduledEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as { source?: unknown; 'detail-type'?: unknown };
  return e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
}

/** `detail.object.key must be a string, got nothing`: each problem names the field, the rule and the value. */
function problems(error: z.ZodError, event: unknown): string {
  return error.issues.map((i) => `${pathString(i.path)} ${issueRule(i, event)}`).join('; ');
}

/** The objects an event names; throws InputError naming every missing field (a retry cannot fix the event). */
export function objectsFromEvent(event: unknown): S3ObjectRef[] {
  const hasDetail = typeof event === 'object' && event !== null && 'detail' in event;
  if (hasDetail) {
    const parsed = S3ObjectCreatedEventSchema.safeParse(event);
    if (!parsed.success)
      throw new InputError(
        `EventBridge event is not an S3 "Object Created" event (is the rule matching them?): ${problems(parsed.error, event)}`,
      );
    return [{ bucket: parsed.data.detail.bucket.name, key: parsed.data.detail.object.key }];
  }
  const hasRecords = typeof event === 'object' && event !== null && 'Records' in event;
  if (hasRecords) {
    const parsed = S3NotificationEventSchema.safeParse(event);
    if (!parsed.success) throw new InputError(`S3 notification is malformed: ${problems(parsed.error, event)}`);
    return parsed.data.Records.map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')),
    }));
  }
  throw new InputError(
    'event is neither an EventBridge S3 event (detail.bucket/detail.object) nor an S3 notification (Records[].s3)',
  );
}

/** `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>`: SageMaker's data-capture layout. */
export function locationFromKey(key: string): { endpointName: string; variantName: string } | undefined {
  const parts = key.split('/');
  if (parts.length < 7) return undefined;
  const [endpointName, variantName, y, m, d, h] = parts.slice(-7, -1) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^\d{4}$/.test(y) || !/^\d{2}$/.test(m) || !/^\d{2}$/.test(d) || !/^\d{2}$/.test(h)) return undefined;
  return { endpointName, variantName };
}
