import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, lazily } from '../../../lambda/shared/clients';
import { instantRetry } from '../../support/fake-account';

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
  it('sets the retry mode and attempts explicitly, and passes an injected retry strategy through', () => {
    // GIVEN production options, then a test's strategy
    const strategy = instantRetry(2);
    const production = clientConfig({ region: 'eu-west-1' }, {});
    const injected = clientConfig({ region: 'eu-west-1', maxAttempts: 2, retryStrategy: strategy }, {});
    // THEN production uses adaptive mode with 5 attempts and the SDK's own strategy
    expect(production).toEqual({ region: 'eu-west-1', maxAttempts: 5, retryMode: 'adaptive' });
    // AND the injected strategy is the one the clients get
    expect(injected).toMatchObject({ maxAttempts: 2, retryMode: 'adaptive', retryStrategy: strategy });
  });
});
