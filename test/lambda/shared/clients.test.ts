import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, lazily } from '../../../lambda/shared/clients';

describe('lazily', () => {
  it('builds nothing up front, then each member once, on its first use', () => {
    // GIVEN two client factories that count their calls
    const built: string[] = [];
    const config = clientConfig({ region: 'eu-west-1' });
    const clients = lazily<{ sagemaker: SageMakerClient; s3: S3Client }>({
      sagemaker: () => (built.push('sagemaker'), new SageMakerClient(config)),
      s3: () => (built.push('s3'), new S3Client(config)),
    });
    // THEN none is built before use
    expect(built).toEqual([]);
    // WHEN one member is used twice
    const first = clients.sagemaker;
    const second = clients.sagemaker;
    // THEN only that one is built, once, and the same client is returned
    expect(built).toEqual(['sagemaker']);
    expect(second).toBe(first);
    expect(first).toBeInstanceOf(SageMakerClient);
    // AND the members are still listed like plain properties
    expect(Object.keys(clients)).toEqual(['sagemaker', 's3']);
  });

  it('rethrows a factory error on every use, and builds once the factory succeeds', () => {
    let attempts = 0;
    const clients = lazily<{ flaky: string }>({
      flaky: () => {
        attempts++;
        if (attempts < 2) throw new Error('credentials not ready');
        return 'ok';
      },
    });
    expect(() => clients.flaky).toThrow('credentials not ready');
    expect(clients.flaky).toBe('ok');
    expect(clients.flaky).toBe('ok');
    expect(attempts).toBe(2);
  });
});

describe('clientConfig', () => {
  it('sets the retry mode and attempts explicitly, and leaves the waits to the SDK unless a backoff is given', () => {
    // GIVEN production options, then a test backoff
    const production = clientConfig({ region: 'eu-west-1' }, {});
    const instant = clientConfig({ region: 'eu-west-1', maxAttempts: 2, retryBackoff: () => 0 }, {});
    // THEN production uses adaptive mode with 5 attempts and the SDK's own strategy
    expect(production).toEqual({ region: 'eu-west-1', maxAttempts: 5, retryMode: 'adaptive' });
    // AND the backoff brings an adaptive strategy with the same attempts
    expect(instant).toMatchObject({ maxAttempts: 2, retryMode: 'adaptive' });
    expect(instant.retryStrategy).toBeInstanceOf(AdaptiveRetryStrategy);
  });
});
