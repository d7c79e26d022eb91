/** Runs the repository's own `cdk` CLI as a child process against moto, collecting its output with a timeout. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
const CDK_CLI = join(REPO, 'node_modules', '.bin', 'cdk');

export interface CliResult {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs the repo's `cdk` CLI against moto, from a scratch directory so no cdk.json or cdk.context.json is read or written. */
export function cdk(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  // Generous: a bootstrap takes seconds on a quiet machine, but over a minute on two loaded cores.
  timeoutMs = 180_000,
  onOutput: (chunk: string) => void = () => undefined,
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(CDK_CLI, [...args, '--no-notices', '--no-color', '--ci'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString();
      onOutput(d.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      output += `\n(cdk ${args[0]} killed: no answer within ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output, ms: Date.now() - started });
    });
  });
}
