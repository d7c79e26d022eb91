import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDockerfile } from '../../dockerfile-policy';

const DOCKERFILE = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');
const rules = (text: string) => checkDockerfile(text).map((p) => p.rule);
const HEALTHCHECK = 'HEALTHCHECK CMD ["node", "probe.js"]';
const GOOD_TAIL = `EXPOSE 8080\nUSER 1000:1000\n${HEALTHCHECK}\nENTRYPOINT ["node", "server.js"]\n`;
const PINNED = 'FROM node:24-bookworm-slim@sha256:' + 'a'.repeat(64);

describe('Dockerfile policy', () => {
  test('the reference image passes: pinned base, numeric non-root user, exec form, port 8080', () => {
    expect(checkDockerfile(DOCKERFILE)).toEqual([]);
    expect(DOCKERFILE).toMatch(/^FROM \S+@sha256:[0-9a-f]{64}$/m);
    expect(DOCKERFILE).toMatch(/^ARG RUN_AS_UID=65532$/m);
  });

  test('rejects a base image without a digest, and one on latest', () => {
    expect(rules(`FROM node:24\n${GOOD_TAIL}`)).toEqual(['pinned-base']);
    expect(rules(`FROM node:latest\n${GOOD_TAIL}`)).toEqual(['no-latest', 'pinned-base']);
    expect(rules(`FROM node@sha256:${'b'.repeat(64)} AS build\nFROM build\n${GOOD_TAIL}`)).toEqual([]);
  });

  test('rejects root, a named user and a missing USER, resolving ARG defaults', () => {
    expect(rules(`${PINNED}\nEXPOSE 8080\nUSER 0\nENTRYPOINT ["x"]\n${HEALTHCHECK}`)).toEqual(['non-root-user']);
    expect(rules(`${PINNED}\nARG UID=0\nEXPOSE 8080\nUSER \${UID}:\${UID}\nENTRYPOINT ["x"]\n${HEALTHCHECK}`)).toEqual([
      'non-root-user',
    ]);
    expect(rules(`${PINNED}\nEXPOSE 8080\nUSER node\nENTRYPOINT ["x"]\n${HEALTHCHECK}`)).toEqual(['non-root-user']);
    expect(rules(`${PINNED}\nEXPOSE 8080\nENTRYPOINT ["x"]\n${HEALTHCHECK}`)).toEqual(['non-root-user']);
    // The documented switch: a build-arg default of non-root passes.
    expect(rules(`${PINNED}\nARG UID=65532\nEXPOSE 8080\nUSER \${UID}\nENTRYPOINT ["x"]\n${HEALTHCHECK}`)).toEqual([]);
  });

  test('rejects ADD from a URL, shell-form entrypoints and package manager caches', () => {
    expect(rules(`${PINNED}\nADD https://example.com/m.tgz /opt/\n${GOOD_TAIL}`)).toEqual(['no-remote-add']);
    expect(rules(`${PINNED}\nEXPOSE 8080\nUSER 1\n${HEALTHCHECK}\nENTRYPOINT node server.js`)).toEqual(['exec-form']);
    expect(rules(`${PINNED}\nRUN apt-get update && \\\n  apt-get install -y curl\n${GOOD_TAIL}`)).toEqual([
      'no-package-cache',
    ]);
    expect(
      rules(`${PINNED}\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n${GOOD_TAIL}`),
    ).toEqual([]);
    expect(rules(`${PINNED}\nRUN pip install flask\n${GOOD_TAIL}`)).toEqual(['no-package-cache']);
  });

  test('requires a HEALTHCHECK in exec form, or HEALTHCHECK NONE with its reason right above it', () => {
    const base = `${PINNED}\nEXPOSE 8080\nUSER 1\nENTRYPOINT ["x"]\n`;
    expect(rules(base)).toEqual(['healthcheck']);
    expect(rules(`${base}HEALTHCHECK CMD curl -f http://localhost:8080/ping`)).toEqual(['healthcheck']);
    expect(rules(`${base}HEALTHCHECK --interval=30s --timeout=3s CMD ["/probe", "/ping"]`)).toEqual([]);
    expect(rules(`${base}HEALTHCHECK NONE`)).toEqual(['healthcheck']);
    expect(rules(`${base}# SageMaker polls /ping itself; this image runs nowhere else\nHEALTHCHECK NONE`)).toEqual([]);
    // The reference image probes /ping with Node (no shell in distroless).
    expect(DOCKERFILE).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["\/nodejs\/bin\/node", "-e", ".*\/ping.*"\]$/m);
  });

  test('rejects an image that does not expose the SageMaker port, with the line of each problem', () => {
    const problems = checkDockerfile(`${PINNED}\nUSER 1\nENTRYPOINT ["x"]\n${HEALTHCHECK}`);
    expect(problems).toEqual([
      expect.objectContaining({ rule: 'sagemaker-port', message: expect.stringContaining('8080') }),
    ]);
    expect(checkDockerfile(`FROM a:1\n${GOOD_TAIL}`)[0]!.line).toBe(1);
  });

  test('as a command: exit 0 when every file passes, 1 with a line per problem, 2 for an unreadable file', () => {
    const cli = (...files: string[]) =>
      spawnSync(
        process.execPath,
        [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'dockerfile-policy.ts'), ...files],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
    const bad = join(mkdtempSync(join(tmpdir(), 'dockerfile-policy-')), 'Dockerfile');
    writeFileSync(bad, `FROM node:24\n${GOOD_TAIL}`);
    const good = join(__dirname, '..', 'Dockerfile');
    expect(cli(good)).toMatchObject({ status: 0, stdout: `${good}: passes the Dockerfile policy\n` });
    expect(cli(good, bad)).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^\S+Dockerfile:1: \[pinned-base\] /),
    });
    const missing = cli(good, join(tmpdir(), 'no-such-Dockerfile'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^dockerfile-policy: \S+no-such-Dockerfile: cannot read it: ENOENT/);
  });
});
