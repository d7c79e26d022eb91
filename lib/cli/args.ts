/**
 * The one command-line parser every command of the project uses (bin/baseline.ts, scripts/*.ts): node:util
 * parseArgs in strict mode, plus what it leaves to us — `--help` that prints the usage and exits 0 before anything
 * starts, unknown options rejected with the list of known ones (and the closest one), and exit codes that say
 * whose mistake it was (2: the command line, 1: the run).
 */
import { parseArgs } from 'node:util';
import { didYouMean } from '../config/did-you-mean';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One line for the usage text. */
  readonly description: string;
  /** Placeholder of the value in the usage text, e.g. `<file>`. @default '<value>' */
  readonly valueName?: string;
  /** One-letter alias. @default - none */
  readonly short?: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** How the user runs it, e.g. `npm run baseline --`. */
  readonly command: string;
  /** What it does, one or two lines. */
  readonly summary: string;
  readonly options: O;
  /** Lines after the options (examples, exit codes). @default - none */
  readonly epilogue?: string;
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export type ParsedCommandLine<O extends Record<string, OptionSpec>> =
  { readonly help: true } | { readonly help: false; readonly values: Values<O> };

/** A command-line mistake: the message names the option, the value and the fix. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The usage text: command, summary, every option with its value placeholder and description. */
export function usage<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.valueName ?? '<value>'}` : ''}`;
    return [flag, o.description] as const;
  });
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `usage: ${spec.command} [options]`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(spec.epilogue ? ['', spec.epilogue] : []),
    '',
  ].join('\n');
}

/** Parses `argv` against the spec; throws UsageError for unknown options, missing values and positionals. */
export function parseCommandLine<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): ParsedCommandLine<O> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(spec.options))
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  const known = Object.keys(options).map((k) => `--${k}`);
  // --help wins over every other mistake on the line: the user asked how to use the command.
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(e.message)?.[1] ?? '';
      const guess = didYouMean(flag.replace(/^-+/, ''), Object.keys(options));
      throw new UsageError(
        `unknown option "${flag}"${guess ? `; did you mean "--${guess}"?` : ''} (known options: ${known.join(', ')})`,
      );
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = /--[\w-]+/.exec(e.message)?.[0] ?? 'an option';
      const takes = spec.options[flag.slice(2)]?.type === 'string';
      throw new UsageError(takes ? `${flag} needs a value` : `${flag} takes no value`);
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new UsageError(
        `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''}: every argument is an option (known options: ${known.join(', ')})`,
      );
    throw err;
  }
  return { help: false, values: parsed.values as Values<O> };
}

/** An integer option: undefined when absent, else an integer >= min, or a UsageError naming the option. */
export function intOption(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const PROCESS_IO: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/**
 * Runs a command: `--help` prints the usage to stdout and returns 0 without calling `run`; a UsageError returns 2
 * (message and a pointer to --help on stderr); any other error returns 1. `run` returns the exit code.
 */
export async function runCommand<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  run: (values: Values<O>) => Promise<number> | number,
  io: CliIo = PROCESS_IO,
): Promise<number> {
  const name = spec.command.split(' ').find((w) => !['npm', 'run', 'npx', 'tsx', '--'].includes(w)) ?? 'command';
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
      io.stdout(usage(spec));
      return 0;
    }
    return await run(parsed.values);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${name}: ${err.message}\n(run with --help for the usage)\n`);
      return 2;
    }
    io.stderr(`${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * For scripts that start work at load time: parses `argv`, and on `--help` prints the usage and exits 0, on a
 * UsageError prints it and exits 2 — before anything starts. Returns the values otherwise.
 */
export function parseOrExit<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  io: CliIo = PROCESS_IO,
): Values<O> {
  try {
    const parsed = parseCommandLine(spec, argv);
    if (!parsed.help) return parsed.values;
    io.stdout(usage(spec));
    process.exit(0);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`${spec.command}: ${err.message}\n(run with --help for the usage)\n`);
    process.exit(2);
  }
}
