/**
 * The image's HEALTHCHECK probes the same /ping contract SageMaker uses (SageMaker itself ignores HEALTHCHECK and
 * polls /ping): the exact command from the Dockerfile, run with this Node instead of the image's, against the real
 * server: healthy (exit 0) only when the model is loaded, unhealthy (exit 1) on 503 and when nothing listens.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { parseDockerfile } from '../../dockerfile-policy';

interface ServerModule {
  loadModel(dir?: string): unknown;
  startServer(opts: { port?: number; host?: string; model?: unknown }): Promise<Server>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadModel, startServer } = require('../server.js') as ServerModule;

const healthcheck = parseDockerfile(readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8')).find(
  (i) => i.keyword === 'HEALTHCHECK',
)!;
const command = JSON.parse(/CMD\s+(\[.*\])\s*$/s.exec(healthcheck.args)![1]!) as string[];

/** Runs the HEALTHCHECK command as docker would, with the port the server listens on (asynchronously: the server
 * answers from this process). */
function probe(port: number): Promise<number | null> {
  const [binary, ...args] = command;
  expect(binary).toBe('/nodejs/bin/node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, SAGEMAKER_BIND_TO_PORT: String(port) },
      stdio: 'ignore',
      timeout: 10_000,
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

async function withServer(model: unknown, run: (port: number) => Promise<void>) {
  const server = await startServer({ port: 0, host: '127.0.0.1', ...(model ? { model } : {}) });
  try {
    await run((server.address() as AddressInfo).port);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('HEALTHCHECK probes /ping', () => {
  test('healthy when the model is loaded (GET /ping answers 200)', async () => {
    await withServer(loadModel(join(__dirname, '..', 'model')), async (port) => expect(await probe(port)).toBe(0));
  });

  test('unhealthy when the server has no model (503) and when nothing listens', async () => {
    let freed = 0;
    await withServer(undefined, async (port) => {
      expect(await probe(port)).toBe(1);
      freed = port;
    });
    expect(await probe(freed)).toBe(1);
  });
});
