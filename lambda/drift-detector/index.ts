/**
 * Lambda entry: the S3 client, config and the baseline loader are built once per container (cold start); a bad
 * environment fails the cold start with a message naming every bad variable. Metrics go to stdout as EMF.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../shared/clients';
import { createLogger } from '../shared/logger';
import { makeHandler } from './handler';
import { S3StateStore } from './state-store';
import { readConfig } from './settings';
import { makeBaselineLoader } from './baseline-loader';

const logger = createLogger('drift-detector');
const config = readConfig(process.env);
const s3 = new S3Client(clientConfig());

if (config.stateBucket === undefined)
  logger.warn('STATE_BUCKET is not set: each file is judged alone and a redelivered file publishes twice');

export const handler = makeHandler({
  s3,
  logger,
  config,
  baseline: makeBaselineLoader(s3, config),
  ...(config.stateBucket !== undefined
    ? {
        stateStore: new S3StateStore(s3, config.stateBucket, config.statePrefix, undefined, (m, d) =>
          logger.warn(m, d),
        ),
      }
    : {}),
});
