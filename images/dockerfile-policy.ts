/**
 * Dockerfile policy for model images (SageMaker inference containers):
 *   npx tsx images/dockerfile-policy.ts images/<name>/Dockerfile [...]
 * Exit 0 when every file passes, 1 with one line per problem (rule, line, what to do) otherwise, 2 on bad usage or
 * a file that cannot be read.
 * Checks: base images pinned by digest and never `latest`; a numeric, non-root USER in the final stage (ARG
 * defaults resolved, so a documented build-arg can still switch it); no `ADD` from a URL; exec-form ENTRYPOINT
 * and CMD; no package manager cache left in a layer; port 8080 exposed; a HEALTHCHECK in exec form, or
 * `HEALTHCHECK NONE` with the reason in a comment right above it.
 */
import { readFileSync } from 'node:fs';
import { CommandSpec, InputError, OptionSpec, runCommand } from '../lib/cli/args';

export interface DockerfileProblem {
  readonly rule: string;
  /** 1-based line of the instruction. */
  readonly line: number;
  readonly message: string;
}

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (buffer === '' && (line === '' || line.startsWith('#'))) return;
    if (buffer !== '' && line.startsWith('#')) return;
    if (buffer === '') start = i + 1;
    buffer += `${line.replace(/\\$/, '')} `;
    if (line.endsWith('\\')) return;
    const m = /^(\S+)\s*(.*)$/s.exec(buffer.trim())!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buffer = '';
  });
  return out;
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const CACHE_RULES: { install: RegExp; clean: RegExp; fix: string }[] = [
  {
    install: /\bapt(-get)?\s+install\b/,
    clean: /rm\s+-rf\s+\/var\/lib\/apt\/lists/,
    fix: 'rm -rf /var/lib/apt/lists/*',
  },
  { install: /\bpip3?\s+install\b/, clean: /--no-cache-dir/, fix: 'pip install --no-cache-dir' },
  { install: /\bnpm\s+(install|ci|i)\b/, clean: /npm\s+cache\s+clean/, fix: 'npm cache clean --force' },
  { install: /\bapk\s+add\b/, clean: /--no-cache/, fix: 'apk add --no-cache' },
  { install: /\b(yum|dnf|microdnf)\s+install\b/, clean: /\b(yum|dnf|microdnf)\s+clean\s+all/, fix: 'yum clean all' },
];

export function checkDockerfile(text: string): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  const add = (rule: string, line: number, message: string) => problems.push({ rule, line, message });
  const instructions = parseDockerfile(text);
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const resolve = (s: string) => s.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => args.get(name) ?? `$${name}`);
  let finalStage: Instruction[] = [];

  for (const ins of instructions) {
    if (ins.keyword === 'ARG') {
      const [name, value] = ins.args.split(/=(.*)/s, 2);
      if (value !== undefined) args.set(name!.trim(), value.trim().replace(/^"(.*)"$/, '$1'));
      finalStage.push(ins);
      continue;
    }
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const image = resolve(parts[0] ?? '');
      if (parts[1]?.toUpperCase() === 'AS' && parts[2]) stages.add(parts[2].toLowerCase());
      finalStage = [];
      if (image === 'scratch' || stages.has(image.toLowerCase())) continue;
      if (/:latest(@|$)/.test(image))
        add('no-latest', ins.line, `base image ${image} uses the "latest" tag; pin a version and its digest`);
      if (!DIGEST.test(image))
        add('pinned-base', ins.line, `base image ${image} is not pinned by digest; use <image>:<tag>@sha256:<digest>`);
      continue;
    }
    finalStage.push(ins);
    if (ins.keyword === 'ADD' && /(^|\s)(https?:\/\/|git@)/.test(ins.args)) {
      add(
        'no-remote-add',
        ins.line,
        `ADD fetches a remote source (${ins.args}); download with a checksum in a build stage, or COPY`,
      );
    }
    if (ins.keyword === 'RUN') {
      for (const c of CACHE_RULES) {
        if (c.install.test(ins.args) && !c.clean.test(ins.args)) {
          add(
            'no-package-cache',
            ins.line,
            `RUN leaves a package manager cache in the layer; in the same RUN use ${c.fix}`,
          );
        }
      }
    }
  }

  const users = finalStage.filter((i) => i.keyword === 'USER');
  const user = users[users.length - 1];
  if (!user) {
    add(
      'non-root-user',
      instructions[instructions.length - 1]?.line ?? 1,
      'the final stage has no USER; add USER <uid>:<gid> (numeric, not 0)',
    );
  } else {
    const value = resolve(user.args);
    if (!/^\d+(:\d+)?$/.test(value))
      add(
        'non-root-user',
        user.line,
        `USER ${user.args} resolves to "${value}"; use a numeric uid[:gid] so the runtime can verify it is not root`,
      );
    else if (Number(value.split(':')[0]) === 0)
      add(
        'non-root-user',
        user.line,
        `USER ${user.args} resolves to root (0); default to a non-root uid and document the build-arg for frameworks that need root`,
      );
  }
  for (const keyword of ['ENTRYPOINT', 'CMD']) {
    const ins = finalStage.filter((i) => i.keyword === keyword).pop();
    if (!ins) {
      if (keyword === 'ENTRYPOINT')
        add(
          'exec-form',
          instructions[instructions.length - 1]?.line ?? 1,
          'the final stage has no ENTRYPOINT; SageMaker runs `<entrypoint> serve`',
        );
      continue;
    }
    if (!isJsonArray(ins.args))
      add(
        'exec-form',
        ins.line,
        `${keyword} ${ins.args} is in shell form; use the exec form ${keyword} ["executable", "arg"] so signals reach the server`,
      );
  }
  checkHealthcheck(text, finalStage, instructions, add);
  if (!finalStage.some((i) => i.keyword === 'EXPOSE' && /(^|\s)8080(\/tcp)?(\s|$)/.test(i.args))) {
    add(
      'sagemaker-port',
      1,
      'the final stage does not EXPOSE 8080, the port SageMaker sends /ping and /invocations to',
    );
  }
  return problems;
}

/**
 * SageMaker ignores HEALTHCHECK (it polls GET /ping), but everything else that runs the image (docker, ECS) reads it:
 * the final stage declares one in exec form, or opts out with `HEALTHCHECK NONE` and says why in the comment line
 * right above it.
 */
function checkHealthcheck(
  text: string,
  finalStage: readonly Instruction[],
  instructions: readonly Instruction[],
  add: (rule: string, line: number, message: string) => void,
): void {
  const hc = finalStage.filter((i) => i.keyword === 'HEALTHCHECK').pop();
  const last = instructions[instructions.length - 1]?.line ?? 1;
  if (!hc) {
    add(
      'healthcheck',
      last,
      'the final stage has no HEALTHCHECK; probe the /ping contract (HEALTHCHECK CMD ["<binary>", ...]), or write HEALTHCHECK NONE with the reason in a comment right above it',
    );
    return;
  }
  if (/^NONE$/i.test(hc.args.trim())) {
    const above = text.split(/\r?\n/)[hc.line - 2]?.trim() ?? '';
    if (!/^#\s*\S/.test(above))
      add('healthcheck', hc.line, 'HEALTHCHECK NONE needs its reason in a comment on the line right above it');
    return;
  }
  const cmd = /^(?:--\S+\s+)*CMD\s+(.*)$/is.exec(hc.args.trim());
  if (!cmd || !isJsonArray(cmd[1]!.trim()))
    add(
      'healthcheck',
      hc.line,
      `HEALTHCHECK ${hc.args} is not in exec form; use HEALTHCHECK [options] CMD ["executable", "arg"] (distroless images have no shell)`,
    );
}

function isJsonArray(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
}

export const DOCKERFILE_POLICY_COMMAND = {
  command: 'npx tsx images/dockerfile-policy.ts',
  summary:
    'Dockerfile policy for model images: pinned base (never latest), numeric non-root USER, no ADD from a URL,\nexec-form ENTRYPOINT and CMD, no package manager cache in a layer, port 8080 exposed, a HEALTHCHECK.',
  positionals: { name: '<Dockerfile>', description: 'Dockerfiles to check, one or more', max: Infinity },
  options: {},
  epilogue:
    'exit codes: 0 every file passes; 1 a problem found (one line each); 2 wrong arguments or an unreadable file.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

function main(_values: unknown, files: readonly string[]): number {
  const texts = files.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError(`${file}: cannot read it: ${(e as Error).message}`);
    }
  });
  let failed = false;
  files.forEach((file, i) => {
    const problems = checkDockerfile(texts[i]!);
    for (const p of problems) console.error(`${file}:${p.line}: [${p.rule}] ${p.message}`);
    if (problems.length === 0) console.log(`${file}: passes the Dockerfile policy`);
    failed ||= problems.length > 0;
  });
  return failed ? 1 : 0;
}

if (require.main === module) {
  void runCommand(DOCKERFILE_POLICY_COMMAND, process.argv.slice(2), main).then((code) => {
    process.exitCode = code;
  });
}
