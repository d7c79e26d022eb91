/**
 * Start-up shared by the benchmarks that measure in fresh child processes of themselves: the script runs as
 * `<script> --child <args...>` for one measurement and prints its figures as the last line of JSON.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CommandSpec, OptionSpec, parseOrExit } from '../../lib/cli/args';

const CHILD_FLAG = '--child';

/** Runs `script --child ...args` under tsx and returns the JSON object it printed last. */
export async function runBenchChild(script: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const proc = spawn(process.execPath, [require.resolve('tsx/cli'), script, CHILD_FLAG, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(proc, 'exit')) as [number];
  if (code !== 0) throw new Error(`benchmark child (${args.join(' ')}) exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
}

export interface BenchEntry<O extends Record<string, OptionSpec>> {
  /** The command line a user runs (`--help`, option errors); the `--child` form bypasses it. */
  readonly spec: CommandSpec<O>;
  readonly main: () => Promise<void>;
  /** One measurement, given the arguments after `--child`. */
  readonly child: (args: readonly string[]) => Promise<void>;
}

/** The script's entry: a child measurement, or the user's command (parsed by the shared parser); exits 1 on error. */
export function runBench<O extends Record<string, OptionSpec>>(name: string, entry: BenchEntry<O>): void {
  const args = process.argv.slice(2);
  const isChild = args[0] === CHILD_FLAG;
  if (!isChild) parseOrExit(entry.spec, args);
  const run = isChild ? entry.child(args.slice(1)) : entry.main();
  run.catch((err: Error) => {
    process.stderr.write(`${name}: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
