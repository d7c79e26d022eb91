/**
 * Runs the user's own command, `npx cdk synth`, on a throw-away copy of the project: the tests that prove the synth
 * gate edit real source files there (as a reviewer trying an insecure change would) and read the exit code and what
 * the CLI printed. The copy holds what synth reads (bin, lib, lambda, baselines, cdk.json, package files, the test
 * fixtures that configs point at) and links node_modules, so making one costs milliseconds.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const COPIED = [
  'bin',
  'core',
  'lib',
  'lambda',
  'baselines',
  'test/fixtures',
  'cdk.json',
  'package.json',
  'tsconfig.json',
];

const copies: string[] = [];

/** A fresh copy of the project in a temporary directory (removed by `removeCopies()`). */
export function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-cli-'));
  copies.push(dir);
  for (const entry of COPIED) cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Removes every copy this process made. */
export function removeCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Replaces exactly one occurrence of `from` in a file of the copy; throws when there is none or more than one, so a
 * test can never pass because its insecure change silently did not happen.
 */
export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const matches =
    typeof from === 'string' ? text.split(from).length - 1 : [...text.matchAll(new RegExp(from, 'g'))].length;
  if (matches !== 1) throw new Error(`edit ${file}: expected exactly one match of ${String(from)}, found ${matches}`);
  writeFileSync(path, text.replace(from, to));
}

/** Inserts lines before the first line matching `before` (e.g. a blanket acknowledgement in bin/mlops.ts). */
export function insertBefore(dir: string, file: string, before: RegExp, lines: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const at = text.search(before);
  if (at < 0) throw new Error(`insertBefore ${file}: no line matches ${String(before)}`);
  writeFileSync(path, `${text.slice(0, at)}${lines}\n${text.slice(at)}`);
}

export interface CliRun {
  readonly status: number | null;
  /** stdout and stderr together, in the order they arrived. */
  readonly output: string;
}

/** `npx cdk synth <args>` in `dir`, offline and without the caller's AWS settings. */
export function cdkSynth(dir: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'cdk', 'synth', ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CI: 'true',
        AWS_REGION: 'eu-west-1',
        CDK_DISABLE_VERSION_CHECK: '1',
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Runs tasks with at most `limit` at once (synths are CPU-bound; the machine has two cores). */
export async function limited<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The deliberate insecure changes the gate tests make, one per kind of stack, each caught by a pack. */
export const INSECURE_CHANGES = {
  /** Model stack: the SageMaker model loses network isolation (MLOPS-SM-2). */
  model: (dir: string) =>
    edit(
      dir,
      'lib/constructs/model-endpoint.ts',
      'enableNetworkIsolation: networkIsolation,',
      'enableNetworkIsolation: false,',
    ),
  /** Platform stack: the model image repository accepts mutable tags. */
  platform: (dir: string) =>
    edit(dir, 'lib/constructs/model-repository.ts', 'ecr.TagMutability.IMMUTABLE', 'ecr.TagMutability.MUTABLE'),
  /** Pipeline stack: the pipeline's notification topic loses its customer-managed KMS key. */
  pipeline: (dir: string) =>
    edit(
      dir,
      'lib/stacks/pipeline-notifications.ts',
      /(displayName: `\$\{config\.projectName\} delivery pipeline`,\s*)masterKey: key,/,
      '$1',
    ),
  /** A blanket acknowledgement of the model finding on the whole app, with a plausible reason. */
  blanketAcknowledgement: (dir: string) =>
    insertBefore(
      dir,
      'bin/mlops.ts',
      /^const assembly = app\.synth\(\);/m,
      "import { Validations } from 'aws-cdk-lib';\n" +
        "Validations.of(app).acknowledge({ id: 'MLOPS::MLOPS-SM-2', reason: 'Network isolation is handled by the VPC security groups in every account we deploy to.' });",
    ),
} as const;
