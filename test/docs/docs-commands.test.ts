/**
 * Every command, option and path the README and docs/ mention exists: `npm run <script>` names a script of
 * package.json, each `--option` given to it is listed in that script's `--help`, `npx tsx <file>` names a file whose
 * `--help` lists the options given, and every relative link and repository path (in inline code or a code block)
 * exists. Third-party commands (`npx cdk`, `npx jest`, ...) are run as their own documentation says; their options
 * are not checked here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const SCRIPTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
/** Folders and files at the top of the repository: a code span starting with one of them is a path to check. */
const TOP =
  /^(?:\.\/)?(?:bin|core|lib|lambda|test|scripts|docs|images|terraform|baselines|\.github|\.ci)\/|^(?:cdk|package|tsconfig)\.json$|^CHANGELOG\.md$/;

interface Mention {
  readonly file: string;
  readonly text: string;
}

/** Fenced code blocks (continuation lines joined) and inline code spans of a Markdown page, one command each. */
function codeOf(file: string): { commands: Mention[]; spans: Mention[]; links: Mention[] } {
  const md = readFileSync(join(ROOT, file), 'utf8');
  const commands: Mention[] = [];
  const spans: Mention[] = [];
  const fences = /^```[^\n]*\n([\s\S]*?)^```$/gm;
  for (const m of md.matchAll(fences))
    for (const line of m[1]!.replace(/\\\n\s*/g, ' ').split('\n')) commands.push({ file, text: line.trim() });
  const prose = md.replace(fences, '');
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) {
    spans.push({ file, text: m[1]! });
    commands.push({ file, text: m[1]! });
  }
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ file, text: m[1]! }));
  return { commands, spans, links };
}

const ALL = DOCS.map(codeOf);
const commands = ALL.flatMap((c) => c.commands);

/** `npm run <script> -- <args>` and `npx tsx <file> <args>` in a line, with the options given. */
function invocations(): { file: string; target: string; kind: 'npm' | 'tsx'; options: string[] }[] {
  const out: { file: string; target: string; kind: 'npm' | 'tsx'; options: string[] }[] = [];
  for (const { file, text } of commands) {
    for (const part of text.split(/&&|\|\||;|\|/)) {
      const words = part.replace(/#.*$/, '').trim().split(/\s+/);
      const options = words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/=.*$/, ''));
      const npm = words.indexOf('run');
      if (words[0] === 'npm' && npm === 1 && words[2]) out.push({ file, target: words[2], kind: 'npm', options });
      else if (words[0] === 'npx' && words[1] === 'tsx' && words[2]?.endsWith('.ts'))
        out.push({ file, target: words[2], kind: 'tsx', options });
    }
  }
  return out;
}

const helpCache = new Map<string, string>();
function helpOf(kind: 'npm' | 'tsx', target: string): string {
  const key = `${kind} ${target}`;
  if (!helpCache.has(key)) {
    const r =
      kind === 'npm'
        ? spawnSync('npm', ['run', '--silent', target, '--', '--help'], { cwd: ROOT, encoding: 'utf8' })
        : spawnSync(process.execPath, [require.resolve('tsx/cli'), target, '--help'], { cwd: ROOT, encoding: 'utf8' });
    helpCache.set(key, r.status === 0 ? r.stdout : '');
  }
  return helpCache.get(key)!;
}

test('every `npm run <script>` the docs mention is a script of package.json', () => {
  const missing = invocations()
    .filter((i) => i.kind === 'npm' && !(i.target in SCRIPTS))
    .map((i) => `${i.file}: npm run ${i.target}`);
  expect(missing).toEqual([]);
});

test('every `npx tsx <file>` the docs mention exists', () => {
  const missing = invocations()
    .filter((i) => i.kind === 'tsx' && !existsSync(join(ROOT, i.target)))
    .map((i) => `${i.file}: npx tsx ${i.target}`);
  expect(missing).toEqual([]);
});

test("every option the docs give a command of this project is in that command's --help", () => {
  const wrong: string[] = [];
  for (const i of invocations()) {
    if (i.kind === 'npm' && !(i.target in SCRIPTS)) continue;
    if (i.kind === 'npm' && !/^tsx /.test(SCRIPTS[i.target]!)) continue; // a third-party tool's script (build, test)
    const help = helpOf(i.kind, i.target);
    if (help === '') wrong.push(`${i.file}: ${i.target} --help did not answer`);
    for (const o of i.options)
      if (o !== '--help' && !new RegExp(`(^|[\\s,])${o}(\\s|$)`, 'm').test(help))
        wrong.push(`${i.file}: ${i.target} ${o}`);
  }
  expect([...new Set(wrong)]).toEqual([]);
});

test('every relative link and repository path the docs mention exists', () => {
  const missing: string[] = [];
  for (const { links, spans } of ALL) {
    for (const { file, text } of links) {
      if (/^[a-z]+:|^#/.test(text)) continue;
      const target = resolve(dirname(join(ROOT, file)), text.replace(/#.*$/, ''));
      if (!existsSync(target)) missing.push(`${file}: (${text})`);
    }
    for (const { file, text } of spans) {
      const path = text.split(/\s+/)[0]!.replace(/:\d+$/, ''); // `file.ts:362`: the file
      if (!TOP.test(path) || /[<>*{}]|\.\.\.|…/.test(path)) continue;
      if (!existsSync(join(ROOT, path))) missing.push(`${file}: \`${path}\``);
    }
  }
  expect(missing).toEqual([]);
});
