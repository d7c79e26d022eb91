/**
 * The one command-line parser every command of the project uses (bin/baseline.ts, scripts/*.ts): node:util
 * parseArgs in strict mode, plus what it leaves to us — `--help` that prints the usage and exits 0 before anything
 * starts, unknown options rejected with the list of known ones (and the closest one), and exit codes that say
 * whose mistake it was (2: the command line or the input it names, 1: the run).
 *
 * Positional arguments (`policy:terraform plan.json`, `dockerfile-policy.ts <Dockerfile>...`) are allowed only when
 * the spec declares them (`positionals`: a name, a description and how many); a command without one takes options
 * only. An option marked `multiple` may be repeated and its value is the list.
 */
import { parseArgs } from 'node:util';
import { didYouMean } from '../config/did-you-mean';
import { ConfigError } from '../config/loader';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One line for the usage text. */
  readonly description: string;
  /** Placeholder of the value in the usage text, e.g. `<file>`. @default '<value>' */
  readonly valueName?: string;
  /** One-letter alias. @default - none */
  readonly short?: string;
  /** A string option that may be given more than once; its value is then the list, in order. @default false */
  readonly multiple?: boolean;
}

/** The arguments of a command that are not options, e.g. the plan file of `npm run policy:terraform -- plan.json`. */
export interface PositionalSpec {
  /** Placeholder in the usage text, e.g. `<plan.json>`. */
  readonly name: string;
  /** One line for the usage text. */
  readonly description: string;
  /** Fewest arguments. @default 1 */
  readonly min?: number;
  /** Most arguments (Infinity: no limit). @default 1 */
  readonly max?: number;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** How the user runs it, e.g. `npm run baseline --`. */
  readonly command: string;
  /** What it does, one or two lines. */
  readonly summary: string;
  readonly options: O;
  /** Arguments that are not options. @default - none: every argument is an option */
  readonly positionals?: PositionalSpec;
  /** Lines after the options (examples, exit codes). @default - none */
  readonly epilogue?: string;
}

export type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

export type ParsedCommandLine<O extends Record<string, OptionSpec>> =
  | { readonly help: true }
  | { readonly help: false; readonly values: Values<O>; readonly positionals: readonly string[] };

/** A command-line mistake: the message names the option, the value and the fix. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The input the command line names cannot be used (missing, unreadable, not the document expected): exit code 2
 * like a UsageError, but without the pointer to --help, since the message names the file and the fix.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** How many positionals the spec allows, [min, max]; [0, 0] without a `positionals` entry. */
function positionalRange(spec: { readonly positionals?: PositionalSpec }): [number, number] {
  const p = spec.positionals;
  return p ? [p.min ?? 1, p.max ?? 1] : [0, 0];
}

/** The positionals in the usage line: `<plan.json>`, `[<file>]`, `<Dockerfile>...`, `[<file>...]`. */
function positionalUsage(p: PositionalSpec): string {
  const [min, max] = positionalRange({ positionals: p });
  const one = max > 1 ? `${p.name}...` : p.name;
  return min === 0 ? `[${one}]` : one;
}

/** The usage text: command, summary, every option with its value placeholder and description. */
export function usage<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.valueName ?? '<value>'}` : ''}`;
    return [flag, o.multiple ? `${o.description} (repeatable)` : o.description] as const;
  });
  rows.push(['-h, --help', 'print this help and exit']);
  const p = spec.positionals;
  const width = Math.max(...rows.map(([f]) => f.length), p ? p.name.length : 0);
  return [
    `usage: ${spec.command}${p ? ` ${positionalUsage(p)}` : ''} [options]`,
    '',
    spec.summary,
    '',
    ...(p ? ['arguments:', `  ${p.name.padEnd(width)}  ${p.description}`, ''] : []),
    'options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(spec.epilogue ? ['', spec.epilogue] : []),
    '',
  ].join('\n');
}

/**
 * Parses `argv` against the spec; throws UsageError for unknown options, missing values, and positionals the spec
 * does not declare or more or fewer of them than it allows. Arguments after `--` are positionals.
 */
export function parseCommandLine<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): ParsedCommandLine<O> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(spec.options))
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  const known = Object.keys(options).map((k) => `--${k}`);
  // --help wins over every other mistake on the line: the user asked how to use the command (not after `--`,
  // where a file may be called that).
  const end = argv.indexOf('--');
  const optionPart = end < 0 ? argv : argv.slice(0, end);
  if (optionPart.includes('--help') || optionPart.includes('-h')) return { help: true };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
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
    throw err;
  }
  const positionals = parsed.positionals;
  const [min, max] = positionalRange(spec);
  const p = spec.positionals;
  if (!p && positionals.length > 0)
    throw new UsageError(
      `unexpected argument ${positionals[0]}: every argument is an option (known options: ${known.join(', ')})`,
    );
  if (p && positionals.length < min)
    throw new UsageError(
      positionals.length === 0
        ? `missing ${p.name}: ${p.description}`
        : `expected at least ${min} ${p.name}, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  if (p && positionals.length > max)
    throw new UsageError(
      `unexpected argument ${positionals[max]}: expected ${max === 1 ? 'one' : `at most ${max}`} ${p.name}, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return { help: false, values: parsed.values as Values<O>, positionals };
}

/** An integer option: undefined when absent, else an integer >= min, or a UsageError naming the option. */
export function intOption(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** A UsageError `--<name> is required` for the first of `names` that is absent or empty in `values`. */
export function requireOptions(values: Readonly<Record<string, unknown>>, ...names: string[]): void {
  for (const n of names) if (values[n] === undefined || values[n] === '') throw new UsageError(`--${n} is required`);
}

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const PROCESS_IO: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** The name messages start with: `baseline` of `npm run baseline --`, `image-scan-gate` of `npx tsx scripts/image-scan-gate.ts`. */
export function commandName(spec: { readonly command: string }): string {
  const word = spec.command.split(' ').find((w) => !['npm', 'run', 'npx', 'tsx', '--'].includes(w));
  return word?.replace(/^.*\//, '').replace(/\.ts$/, '') ?? 'command';
}

/**
 * Runs a command: `--help` prints the usage to stdout and returns 0 without calling `run`; a UsageError returns 2
 * (message and a pointer to --help on stderr), an InputError or ConfigError 2 (message); any other error returns 1. `run` gets the
 * options and the positionals, and returns the exit code.
 */
export async function runCommand<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  run: (values: Values<O>, positionals: readonly string[]) => Promise<number> | number,
  io: CliIo = PROCESS_IO,
): Promise<number> {
  const name = commandName(spec);
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
      io.stdout(usage(spec));
      return 0;
    }
    return await run(parsed.values, parsed.positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${name}: ${err.message}\n(run with --help for the usage)\n`);
      return 2;
    }
    // An unreadable or invalid --config is the command line's input too: its message lists every problem and fix.
    if (err instanceof InputError || err instanceof ConfigError) {
      io.stderr(`${name}: ${err.message}\n`);
      return 2;
    }
    io.stderr(`${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `runCommand` on this process's arguments, its exit code set as the process's: what a script runs as main. */
export function runAsMain<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  run: (values: Values<O>, positionals: readonly string[]) => Promise<number> | number,
): void {
  void runCommand(spec, process.argv.slice(2), run).then((code) => {
    process.exitCode = code;
  });
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
    io.stderr(`${commandName(spec)}: ${err.message}\n(run with --help for the usage)\n`);
    process.exit(2);
  }
}

/**
 * Where a command's reports go when the user names no place: `reports/<what>`, a folder the repository ignores
 * (.gitignore), so a run never leaves files in tracked space (where `npm run lint` would check them).
 */
export const REPORTS_DIR = 'reports';

/** `reports/<name>`: the default output of a command. */
export function defaultOutput(name: string): string {
  return `${REPORTS_DIR}/${name}`;
}

/** The `--config` option every command that reads the config takes (lib/config's loadConfigArgument reads it). */
export const CONFIG_OPTION = {
  type: 'string',
  valueName: '<config.json|cdk.json>',
  description: "a config file, or a cdk.json with an embedded config (default: the project's cdk.json)",
} as const satisfies OptionSpec;
