/**
 * The hourly tick of model quality: publishes the hours since labels last joined a window, which the "labels
 * stopped" alarm watches. The handler calls it for the scheduled event.
 */
import { QUALITY_METRICS } from '../../../core/contracts/drift-metrics';
import { Logger } from '../../shared/logger';
import { DetectorContext } from '../detector-context';
import { datum, publish } from '../metrics';
import { labelsClockKey, ledgerBucket } from './label-join';
import { hoursSinceLabelled } from './ledger-store';

/** Publishes HoursSinceLastLabels for the configured endpoint variant; warns and publishes nothing without quality. */
export async function publishLabelsClock(ctx: DetectorContext, logger: Logger): Promise<void> {
  const { quality, endpointName, variantName, statePrefix } = ctx.config;
  if (quality === undefined || endpointName === undefined || variantName === undefined) {
    logger.warn('scheduled event without monitoring.quality (or ENDPOINT_NAME/VARIANT_NAME): nothing to publish');
    return;
  }
  const dims = { endpointName, variantName };
  const now = ctx.now();
  const hours = await hoursSinceLabelled(ledgerBucket(ctx), labelsClockKey(statePrefix, dims), now);
  publish(ctx.writeMetrics, [
    datum(QUALITY_METRICS.HOURS_SINCE_LAST_LABELS, hours, { unit: 'None', dims, timestamp: now }),
  ]);
  logger.info('labels clock published', { ...dims, hoursSinceLastLabelledWindow: hours });
}
