/**
 * Every command is a command alike (lib/cli/args.ts): `--help` prints its usage and exits 0 before any work, an
 * unknown option exits 2 listing the known ones, without a stack trace. The `npm run` scripts come from package.json,
 * so a new script is covered the day it is added; only the tool scripts below (not commands of this project) are left
 * out. The commands no script runs (the pipeline's, the example data's, the tests' own) are run as files with tsx.
 */
import { SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** Scripts that run a third-party tool as is (its own --help and options), not a command of this project. */
const NOT_OUR_CLI = ['build', 'synth', 'test', 'lint', 'format', 'prepack', 'docs:api'];
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const NPM_COMMANDS = Object.keys(scripts).filter((s) => !NOT_OUR_CLI.includes(s));
/** Commands of this project that no `npm run` script above runs. */
const FILE_COMMANDS = [
  'scripts/build-package.ts',
  'scripts/image-scan-gate.ts',
  'scripts/make-example-data.ts',
  'scripts/make-drift-report-picture.ts',
  'images/dockerfile-policy.ts',
  'test/terraform/make-plan-fixtures.ts',
  'test/terraform/terraform-cli.ts',
];

const npmRun = (script: string, ...args: string[]) =>
  spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
const tsxRun = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, file), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

interface Command {
  readonly name: string;
  readonly run: (...args: string[]) => SpawnSyncReturns<string>;
  /** How its usage line starts. */
  readonly usageLine: RegExp;
}
const COMMANDS: Command[] = [
  ...NPM_COMMANDS.map((s) => ({
    name: `npm run ${s}`,
    run: (...args: string[]) => npmRun(s, ...args),
    usageLine: /^usage: npm run \S+ --.* \[options\]\n/,
  })),
  ...FILE_COMMANDS.map((f) => ({ name: f, run: (...args: string[]) => tsxRun(f, ...args), usageLine: /^usage: / })),
];

test('the list of scripts left out names only scripts package.json has', () => {
  expect(NOT_OUR_CLI.filter((s) => !(s in scripts))).toEqual([]);
  expect(NPM_COMMANDS.length).toBeGreaterThan(15);
});

test('the commands run as files are the ones no npm script of ours runs', () => {
  const ours = NPM_COMMANDS.map((s) => scripts[s]!);
  expect(FILE_COMMANDS.filter((f) => ours.some((command) => command.includes(f)))).toEqual([]);
});

describe.each(COMMANDS)('$name', ({ run, usageLine }) => {
  it('prints only its usage for --help and exits 0, having started nothing', () => {
    const r = run('--help');
    // Nothing ran: no progress, no figures, no emulator
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(usageLine);
    expect(r.stdout).toMatch(/^usage: .+ \[options\]\n\n.+\n/);
    expect(r.stdout).toMatch(/-h, --help +print this help and exit\n/);
  });

  it('rejects an unknown option with exit 2, listing the known ones, without a stack trace', () => {
    const r = run('--no-such-option');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "--no-such-option".*\(known options: --help/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

test('rejects a malformed value with exit 2 and the fix, without a stack trace (bench:cold-start --runs=abc)', () => {
  const r = npmRun('bench:cold-start', '--runs=abc');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--runs must be an integer >= 1, got "abc"/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
