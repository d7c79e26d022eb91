import {
  CommandSpec,
  InputError,
  OptionSpec,
  UsageError,
  commandName,
  parseCommandLine,
  requireOptions,
  runCommand,
  usage,
} from '../../lib/cli/args';
import { createProgress } from '../../lib/cli/progress';

const SPEC = {
  command: 'npm run thing --',
  summary: 'Does a thing.',
  options: {
    input: { type: 'string', valueName: '<file>', description: 'the input' },
    quiet: { type: 'boolean', description: 'say less' },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } };
}

describe('the shared command-line parser', () => {
  it('reads string and boolean options, inline or separate', () => {
    expect(parseCommandLine(SPEC, ['--input', 'a.csv', '--quiet'])).toEqual({
      help: false,
      values: { input: 'a.csv', quiet: true },
      positionals: [],
    });
    expect(parseCommandLine(SPEC, ['--input=b.csv'])).toEqual({
      help: false,
      values: { input: 'b.csv' },
      positionals: [],
    });
  });

  it('answers --help with the usage, exit 0, and never runs the command', async () => {
    // GIVEN a command that would fail if it ran
    const c = io();
    let ran = false;
    // WHEN asked for help, even beside a mistake
    const code = await runCommand(SPEC, ['--bogus', '--help'], () => ((ran = true), 1), c.io);
    // THEN
    expect(code).toBe(0);
    expect(ran).toBe(false);
    expect(c.out.join('')).toBe(usage(SPEC));
    expect(usage(SPEC)).toMatch(/--input <file>\s+the input/);
  });

  it('rejects an unknown option with the known ones and the closest, exit 2', async () => {
    const c = io();
    const code = await runCommand(SPEC, ['--inputt', 'x'], () => 0, c.io);
    expect(code).toBe(2);
    expect(c.err.join('')).toMatch(
      /thing: unknown option "--inputt"; did you mean "--input"\? \(known options: --help, --input, --quiet\)/,
    );
  });

  it('rejects a missing value and a stray positional argument', () => {
    expect(() => parseCommandLine(SPEC, ['--input'])).toThrow(new UsageError('--input needs a value'));
    expect(() => parseCommandLine(SPEC, ['extra'])).toThrow(/unexpected argument extra: every argument is an option/);
  });

  it('returns 2 for input it cannot use, with the message and no pointer to --help', async () => {
    const c = io();
    const code = await runCommand(SPEC, [], () => Promise.reject(new InputError('a.csv does not exist')), c.io);
    expect(code).toBe(2);
    expect(c.err.join('')).toBe('thing: a.csv does not exist\n');
  });

  it('names a command by its npm script or its file', () => {
    expect(commandName({ command: 'npm run drift:report --' })).toBe('drift:report');
    expect(commandName({ command: 'npx tsx scripts/image-scan-gate.ts' })).toBe('image-scan-gate');
  });

  it('accepts options that are present', () => {
    expect(() => requireOptions({ input: 'a.csv', quiet: false }, 'input', 'quiet')).not.toThrow();
  });

  it('rejects a required option that is missing or empty, naming it', () => {
    expect(() => requireOptions({ input: 'a.csv' }, 'input', 'output')).toThrow(new UsageError('--output is required'));
    expect(() => requireOptions({ input: '' }, 'input')).toThrow(/^--input is required$/);
  });

  it('returns 1 when the run itself fails, with its message', async () => {
    const c = io();
    const code = await runCommand(SPEC, [], () => Promise.reject(new Error('disk full')), c.io);
    expect(code).toBe(1);
    expect(c.err.join('')).toBe('thing: disk full\n');
  });
});

describe('positional arguments and repeated options', () => {
  const ONE = {
    command: 'npm run check --',
    summary: 'Checks a plan.',
    options: { out: { type: 'string', valueName: '<dir>', description: 'where to write' } },
    positionals: { name: '<plan.json>', description: 'the plan to check' },
  } as const satisfies CommandSpec<Record<string, OptionSpec>>;
  const MANY = {
    command: 'npx tsx lint.ts',
    summary: 'Lints files.',
    options: { tag: { type: 'string', multiple: true, description: 'a tag' } },
    positionals: { name: '<file>', description: 'files to lint', max: Infinity },
  } as const satisfies CommandSpec<Record<string, OptionSpec>>;

  it('takes the declared positionals, before, between or after options, and after --', () => {
    expect(parseCommandLine(ONE, ['plan.json', '--out', 'r'])).toEqual({
      help: false,
      values: { out: 'r' },
      positionals: ['plan.json'],
    });
    expect(parseCommandLine(MANY, ['a', '--tag', 'x', 'b', '--tag=y', '--', '-h'])).toEqual({
      help: false,
      values: { tag: ['x', 'y'] },
      positionals: ['a', 'b', '-h'],
    });
  });

  it('documents them in the usage', () => {
    expect(usage(ONE)).toMatch(
      /^usage: npm run check -- <plan\.json> \[options\]\n\nChecks a plan\.\n\narguments:\n  <plan\.json> +the plan to check\n\noptions:\n/,
    );
    expect(usage(MANY)).toMatch(/^usage: npx tsx lint\.ts <file>\.\.\. \[options\]\n/);
    expect(usage(MANY)).toMatch(/--tag <value> +a tag \(repeatable\)\n/);
  });

  it('rejects too few or too many, naming what is expected', () => {
    expect(() => parseCommandLine(ONE, ['--out', 'r'])).toThrow(
      new UsageError('missing <plan.json>: the plan to check'),
    );
    expect(() => parseCommandLine(ONE, ['a.json', 'b.json'])).toThrow(
      new UsageError('unexpected argument b.json: expected one <plan.json>, got 2: a.json b.json'),
    );
    expect(() => parseCommandLine(MANY, [])).toThrow(new UsageError('missing <file>: files to lint'));
  });

  it('still answers --help with exit 0 when the positionals are missing', async () => {
    const c = io();
    expect(await runCommand(ONE, ['--help'], () => 1, c.io)).toBe(0);
    expect(c.out.join('')).toBe(usage(ONE));
  });

  it('passes the positionals to the run', async () => {
    const c = io();
    let got: readonly string[] = [];
    expect(await runCommand(MANY, ['a', 'b'], (_v, files) => ((got = files), 0), c.io)).toBe(0);
    expect(got).toEqual(['a', 'b']);
  });
});

describe('progress lines', () => {
  it('print share, elapsed time and an ETA from the rate so far, at most once per interval', () => {
    // GIVEN a clock we move by hand
    let t = 0;
    const lines: string[] = [];
    const p = createProgress({ label: 'job', total: 1000, write: (l) => lines.push(l), now: () => t });
    // WHEN 250 units are done after 10 s, and again 1 s later
    t = 10_000;
    p.update(250);
    t = 11_000;
    p.update(300);
    // THEN one line: 25% in 10 s leaves 30 s
    expect(lines).toEqual(['job: 25% (250 of 1,000 bytes), 10 s elapsed, ETA 30 s\n']);
  });
});
