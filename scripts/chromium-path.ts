/**
 * Where headless Chromium is: CHROMIUM_PATH (or MLOPS_CHROMIUM, which CI sets), else `chromium` or
 * `chromium-browser` on PATH (Debian's package). Missing, it throws with the install command: the browser tests
 * (test/reports/*-chromium.test.ts) and scripts/make-drift-report-picture.ts fail rather than skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_INSTALL_HINT =
  'headless Chromium is needed to render the HTML reports: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH to a Chromium binary)';

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['CHROMIUM_PATH', 'MLOPS_CHROMIUM']) {
    const fromEnv = env[name];
    if (!fromEnv) continue;
    if (!existsSync(fromEnv)) throw new Error(`${name}=${fromEnv} does not exist; ${CHROMIUM_INSTALL_HINT}`);
    return fromEnv;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8', env }).trim();
    } catch {
      // not under this name
    }
  }
  throw new Error(`chromium is not installed; ${CHROMIUM_INSTALL_HINT}`);
}

/** Launch arguments: Chromium refuses to start as root with its sandbox; our pages are local files without script. */
export function chromiumArgs(): string[] {
  return process.getuid?.() === 0 ? ['--no-sandbox'] : [];
}
