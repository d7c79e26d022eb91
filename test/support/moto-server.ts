/**
 * Starts and stops a local `moto_server` (Python moto, the local AWS emulator).
 * Each integration test file and each benchmark starts its own, on a free loopback port, so runs never share state.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_INSTALL_HINT =
  'moto_server was not found on PATH. Install it with `pip install "moto[server]==5.2.1"` ' +
  '(the integration tests start their own emulator on a free loopback port).';

export interface RunningMoto {
  readonly endpoint: string;
  readonly process?: ChildProcess;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function motoInstalled(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

async function waitUntilUp(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Starts moto_server on a free loopback port and resolves once it answers. */
export async function startMoto(timeoutMs = 30_000): Promise<RunningMoto> {
  if (!motoInstalled()) throw new Error(MOTO_INSTALL_HINT);
  const port = await freePort();
  // `localhost`, not 127.0.0.1: moto only parses CloudFormation TemplateURLs written with a host name.
  const endpoint = `http://localhost:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\nmoto_server stderr:\n${stderr}`);
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
