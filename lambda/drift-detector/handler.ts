/**
 * Drift detector: one S3 "Object Created" event per data-capture file -> parse (streaming) -> compare with the
 * baseline -> CloudWatch metrics (EMF log lines) the alarms watch. Clients, config and the baseline loader are injected.
 *
 * Failure policy: a malformed record is counted and skipped; a malformed file (bad gzip, not JSON Lines) is logged
 * and reported as MalformedRecords, never thrown, so it cannot block the files behind it. Errors a retry can fix
 * (S3 unavailable, throttling, missing permission) are thrown after every object of the event has been
 * tried, so Lambda's async retries and then the dead-letter queue keep the event.
 *
 * Reading order: settings.ts (environment), event.ts (which objects), baseline-loader.ts, then per object here:
 * where it belongs, dedup (state-store.ts), judge.ts (parse, rolling-window.ts, report, metrics.ts); a ground-truth
 * file goes to quality/label-join.ts, the hourly scheduled event to quality/labels-clock.ts.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BaselineDocument } from '../../core/contracts/baseline';
import { awsErrorName } from '../shared/errors';
import { Logger } from '../shared/logger';
import { DetectorContext } from './detector-context';
import { S3ObjectRef, isScheduledEvent, locationFromKey, objectsFromEvent } from './event';
import { groundTruthPrefix } from '../../core/contracts/quality';
import { joinGroundTruthObject } from './quality/label-join';
import { publishLabelsClock } from './quality/labels-clock';
import { ObjectOutcome, judgeObject } from './judge';
import { METRICS, MetricWriter, countDatum, publish, stdoutMetricWriter } from './metrics';
import { DetectorConfig } from './settings';
import { DriftStateStore, FileVersion } from './state-store';

export type { ObjectOutcome };

export interface HandlerDeps {
  readonly s3: S3Client;
  /**
   * Where the metrics' EMF lines go (metrics.ts).
   * @default - stdout, which Lambda sends to the function's log group, where CloudWatch extracts the metrics
   */
  readonly writeMetrics?: MetricWriter;
  readonly logger: Logger;
  readonly config: DetectorConfig;
  readonly baseline: () => Promise<BaselineDocument>;
  /**
   * Dedup markers and the rolling window (state-store.ts).
   * @default - none: every file is judged alone and a redelivered file publishes again
   */
  readonly stateStore?: DriftStateStore;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The endpoint and variant an object belongs to, or why it is skipped. */
function locate(
  key: string,
  config: DetectorConfig,
  log: Logger,
): { endpointName: string; variantName: string } | string {
  const fromKey = locationFromKey(key);
  if (fromKey && config.endpointName !== undefined && fromKey.endpointName !== config.endpointName) {
    log.warn('object belongs to another endpoint; skipped', {
      keyEndpoint: fromKey.endpointName,
      endpointName: config.endpointName,
    });
    return `endpoint ${fromKey.endpointName} is not ${config.endpointName}`;
  }
  const endpointName = fromKey?.endpointName ?? config.endpointName;
  const variantName = fromKey?.variantName ?? config.variantName;
  if (endpointName === undefined || variantName === undefined) {
    log.error(
      'cannot tell endpoint/variant: key is not <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file> and ENDPOINT_NAME/VARIANT_NAME are not both set; skipped',
    );
    return 'no endpoint/variant';
  }
  return { endpointName, variantName };
}

/** A ground-truth file of this model (under its ground-truth prefix, quality on), with what joining it needs. */
function groundTruthOf(ctx: DetectorContext, ref: S3ObjectRef) {
  const { quality, endpointName, variantName } = ctx.config;
  if (quality === undefined || endpointName === undefined || variantName === undefined) return undefined;
  if (!ref.key.startsWith(groundTruthPrefix(endpointName))) return undefined;
  return { settings: quality, dims: { endpointName, variantName } };
}

async function processObject(
  ctx: DetectorContext,
  opts: { readonly ref: S3ObjectRef; readonly baseline: BaselineDocument; readonly logger: Logger },
): Promise<ObjectOutcome> {
  const { ref, baseline } = opts;
  const log = opts.logger.child({ bucket: ref.bucket, key: ref.key });
  if (ref.key.endsWith('/')) return { ...ref, status: 'skipped', reason: 'folder marker' };
  const groundTruth = groundTruthOf(ctx, ref);
  if (groundTruth) {
    const joined = await joinGroundTruthObject(ctx, { ref, log, ...groundTruth });
    if (joined === 'gone') return { ...ref, status: 'skipped', reason: 'NoSuchKey' };
    return {
      ...ref,
      status: 'published',
      labelled: joined.labelled,
      unmatchedLabelsByReason: joined.unmatchedLabelsByReason,
    };
  }
  const dims = locate(ref.key, ctx.config, log);
  if (typeof dims === 'string') return { ...ref, status: 'skipped', reason: dims };

  const started = Date.now();
  let res;
  try {
    res = await ctx.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') {
      log.warn('object no longer exists (expired or deleted before processing); skipped');
      return { ...ref, status: 'skipped', reason: 'NoSuchKey' };
    }
    throw err;
  }
  const store = ctx.stateStore;
  const version: FileVersion | undefined =
    store && res.ETag !== undefined ? { bucket: ref.bucket, key: ref.key, etag: res.ETag } : undefined;
  if (store && version === undefined)
    log.warn('GetObject returned no ETag: redelivery of this file cannot be detected');
  if (store && version && !(await store.claimFile(version, dims))) {
    (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
    log.info('file already judged (same bucket, key and ETag): a redelivery, nothing published');
    publish(ctx.writeMetrics, [countDatum(METRICS.DUPLICATE_FILES, 1, dims, ctx.now())]);
    return { ...ref, status: 'duplicate', reason: 'already judged' };
  }
  try {
    return await judgeObject(ctx, { ref, body: res.Body, dims, baseline, started, log });
  } catch (err) {
    // The claim must not outlive a failed run, or the retry would be taken for a redelivery.
    if (store && version)
      await store
        .releaseFile(version, dims)
        .catch((e: unknown) =>
          log.error('could not release the claim of a failed file; its retry will be skipped', { error: e as Error }),
        );
    throw err;
  }
}

export function makeHandler(deps: HandlerDeps) {
  const { logger } = deps;
  const ctx: DetectorContext = {
    s3: deps.s3,
    writeMetrics: deps.writeMetrics ?? stdoutMetricWriter,
    config: deps.config,
    ...(deps.stateStore ? { stateStore: deps.stateStore } : {}),
    now: deps.now ?? (() => new Date()),
  };

  return async (event: unknown): Promise<{ readonly objects: readonly ObjectOutcome[] }> => {
    if (isScheduledEvent(event)) {
      await publishLabelsClock(ctx, logger);
      return { objects: [] };
    }
    let refs: S3ObjectRef[];
    try {
      refs = objectsFromEvent(event);
    } catch (err) {
      // Retrying the same event cannot help; log it whole and finish so it does not cycle through retries.
      logger.error('event not understood; ignored', { error: err as Error, event });
      return { objects: [] };
    }
    const baseline = await deps.baseline();
    const outcomes: ObjectOutcome[] = [];
    const failures: string[] = [];
    for (const ref of refs) {
      try {
        outcomes.push(await processObject(ctx, { ref, baseline, logger }));
      } catch (err) {
        logger.error('processing failed; the event will be retried', {
          bucket: ref.bucket,
          key: ref.key,
          error: err as Error,
        });
        outcomes.push({ ...ref, status: 'failed', reason: (err as Error).message });
        failures.push(`s3://${ref.bucket}/${ref.key}: ${awsErrorName(err) ?? 'Error'} ${(err as Error).message}`);
      }
    }
    if (failures.length > 0)
      throw new Error(
        `drift detection failed for ${failures.length} of ${refs.length} object(s): ${failures.join('; ')}`,
      );
    return { objects: outcomes };
  };
}
