/**
 * The baseline the detector compares against: read from S3 once per container, parsed with the contract's schema
 * (core/contracts/baseline.ts) and checked against the configured features at cold start.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BaselineDocument, validateBaseline } from '../../core/contracts/baseline';
import { ConfigurationError } from '../shared/errors';
import { DriftAccumulator } from './accumulator';
import { rememberBaselineSource } from './report/store';
import { bodyStream } from './s3-body';
import { DetectorConfig } from './settings';

/**
 * Loads the baseline from S3 once per container and keeps it; a failed load is forgotten so the next invocation
 * tries again instead of failing forever on a cached rejection.
 */
export function makeBaselineLoader(s3: S3Client, config: DetectorConfig): () => Promise<BaselineDocument> {
  let cached: Promise<BaselineDocument> | undefined;
  return () => {
    cached ??= (async () => {
      const where = `s3://${config.baselineBucket}/${config.baselineKey}`;
      const res = await s3.send(new GetObjectCommand({ Bucket: config.baselineBucket, Key: config.baselineKey }));
      const chunks: Buffer[] = [];
      for await (const chunk of await bodyStream(res.Body)) chunks.push(Buffer.from(chunk as Uint8Array));
      const text = Buffer.concat(chunks).toString('utf8');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        throw new ConfigurationError(`baseline ${where} is not valid JSON: ${(err as Error).message}`);
      }
      let baseline: BaselineDocument;
      try {
        baseline = validateBaseline(doc, where);
        // Building an accumulator checks the configured features against the baseline's, once, at cold start.
        new DriftAccumulator(baseline, {
          features: config.features,
          ...(config.sensitiveAttribute ? { sensitiveAttribute: config.sensitiveAttribute } : {}),
        });
      } catch (err) {
        throw new ConfigurationError(`baseline ${where}: ${(err as Error).message}`);
      }
      rememberBaselineSource(baseline, where, createHash('sha256').update(text).digest('hex'));
      return baseline;
    })();
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}
