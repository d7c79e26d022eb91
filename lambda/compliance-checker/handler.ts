/**
 * The compliance checker: one function, three ways in, each its own module under entry/ — the scheduled scan, the
 * AWS Config custom rule and the CodePipeline gate — all judging live facts with the one rule catalogue
 * (core/policy). `makeHandler(deps)` tells the event apart and hands it on; it takes its clients, settings, logger and
 * clock from the caller so tests inject them.
 */
import { randomUUID } from 'node:crypto';
import { InputError } from '../shared/errors';
import { LambdaContextLike, Logger } from '../shared/logger';
import { Collector, CollectorClients } from './collect';
import { configRule } from './entry/config-rule';
import { CheckerClients, CheckerResult, EntryContext } from './entry/context';
import { pipelineGate } from './entry/pipeline-gate';
import { scheduledScan } from './entry/scheduled-scan';
import { classifyEvent } from './events';
import { CheckerSettings } from './settings';

export type { CheckerClients, CheckerResult } from './entry/context';
export { UnreadableResourcesError } from './entry/config-rule';

export interface HandlerDeps {
  readonly clients: CheckerClients;
  readonly settings: CheckerSettings;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** The checker's own region (its clients' region), written into the report. @default - not recorded */
  readonly region?: string;
  /**
   * Clients for another region of `settings.scanRegions`, created on first use (index.ts memoizes them).
   * @default - `clients` for every region (tests with one emulator)
   */
  readonly clientsFor?: (region: string) => CollectorClients;
}

/** What the Lambda context gives the handler: the request id (the run id), and what every log line carries. */
export type InvocationContext = Partial<LambdaContextLike>;

function entryContext(deps: HandlerDeps): EntryContext {
  const { clients, settings } = deps;
  const regionalClients = (region: string): CollectorClients =>
    region === deps.region || deps.clientsFor === undefined ? clients : deps.clientsFor(region);
  return {
    clients,
    settings,
    clock: deps.clock ?? (() => new Date()),
    ...(deps.region !== undefined ? { region: deps.region } : {}),
    collector: (logger, opts = {}) =>
      new Collector(opts.region === undefined ? clients : regionalClients(opts.region), logger, {
        concurrency: settings.concurrency,
        imageScope: settings.imageScope,
        productionEnvironments: settings.policy.productionEnvironments,
        ...(opts.region !== undefined ? { region: opts.region } : {}),
        s3For: (r) => regionalClients(r).s3 ?? clients.s3,
      }),
  };
}

export function makeHandler(
  deps: HandlerDeps,
): (event: unknown, context?: InvocationContext) => Promise<CheckerResult> {
  const ctx = entryContext(deps);
  return async (event, context) => {
    const runId = context?.awsRequestId ?? randomUUID();
    // Every line of the invocation carries the Lambda request id (function_request_id) and the run id.
    const invocationLogger =
      context?.awsRequestId !== undefined && deps.logger.withContext
        ? deps.logger.withContext({ ...context, awsRequestId: context.awsRequestId })
        : deps.logger;
    const logger = invocationLogger.child({ runId });
    try {
      const inv = classifyEvent(event);
      switch (inv.kind) {
        case 'config':
          return await configRule(ctx, inv, {
            runId,
            logger: logger.child({ entry: 'config', configRuleName: inv.configRuleName, ruleId: inv.ruleId }),
          });
        case 'scheduled':
          return await scheduledScan(ctx, { runId, logger: logger.child({ entry: 'scheduled' }) });
        case 'pipeline':
          return await pipelineGate(ctx, inv, { runId, logger: logger.child({ entry: 'pipeline', jobId: inv.jobId }) });
      }
    } catch (err) {
      // Bad input: retrying cannot help, so answer with a clear result instead of an error that async retries repeat.
      if (err instanceof InputError) {
        logger.error('rejected invocation: malformed event', { error: err.message });
        return { kind: 'rejected', error: err.message };
      }
      logger.error('invocation failed', { error: err });
      throw err;
    }
  };
}
