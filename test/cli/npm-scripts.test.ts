/**
 * Every `npm run` script of package.json is a command alike (lib/cli/args.ts): `--help` prints its usage and exits 0
 * before any work, an unknown option exits 2 listing the known ones. The scripts come from package.json, so a new
 * script is covered the day it is added; only the tool scripts below (not commands of this project) are left out.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** Scripts that run a third-party tool as is (its own --help and options), not a command of this project. */
const NOT_OUR_CLI = ['build', 'synth', 'test', 'lint', 'format', 'prepack', 'docs:api'];
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const COMMANDS = Object.keys(scripts).filter((s) => !NOT_OUR_CLI.includes(s));

const npmRun = (script: string, ...args: string[]) =>
  spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

test('the list of scripts left out names only scripts package.json has', () => {
  expect(NOT_OUR_CLI.filter((s) => !(s in scripts))).toEqual([]);
  expect(COMMANDS.length).toBeGreaterThan(15);
});

describe.each(COMMANDS)('npm run %s', (script) => {
  it('prints its usage for --help and exits 0, having started nothing', () => {
    const r = npmRun(script, '--help');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run \S+ --.* \[options\]\n/);
  });

  it('rejects an unknown option with exit 2, listing the known ones, without a stack trace', () => {
    const r = npmRun(script, '--no-such-option');
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
