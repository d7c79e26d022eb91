/**
 * What an integration test needs to talk to the local emulator with real AWS SDK v3 clients.
 *
 * Each test file starts its own moto_server (about 1 s) so files running in parallel never see each other's
 * resources: moto_server keeps one account, and bucket names are global within it.
 *
 *   const moto = useMoto();            // at the top of a describe block
 *   new S3Client(moto.clientConfig())  // inside tests / beforeAll
 */
import { RunningMoto, startMoto } from './moto-server';

export interface MotoClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly forcePathStyle: true;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts: number;
}

/** moto_server's single account id. */
export const MOTO_ACCOUNT = '123456789012';

export interface MotoHandle {
  /** The emulator's URL; throws (failing the test with the install hint) if it could not start. */
  endpoint(): string;
  clientConfig(region?: string): MotoClientConfig;
}

/** Registers beforeAll/afterAll hooks that start and stop a private moto_server for the calling test file. */
export function useMoto(): MotoHandle {
  let moto: RunningMoto | undefined;
  let startError: Error | undefined;
  beforeAll(async () => {
    try {
      moto = await startMoto();
    } catch (err) {
      startError = err as Error;
      throw err;
    }
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });
  const endpoint = () => {
    if (!moto) throw startError ?? new Error('moto_server is not running: call useMoto() inside a describe block');
    return moto.endpoint;
  };
  return {
    endpoint,
    clientConfig: (region = 'eu-west-1') => ({
      endpoint: endpoint(),
      region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    }),
  };
}
