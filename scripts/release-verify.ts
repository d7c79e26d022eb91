/**
 * Checks a release record against a checkout and its cloud assembly:
 *   npm run release:verify -- <record.json> [--root .] [--assembly cdk.out] [--reports reports] [--strict]
 * Prints one line per item (MATCH, DIFFERS, MISSING) and a summary. Exit 0 when nothing differs (and, with
 * --strict, nothing is missing); 1 otherwise; 2 on wrong arguments or a record that is not a release record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandSpec, InputError, OptionSpec, Values, runAsMain } from '../lib/cli/args';
import { parseReleaseRecord, recordDigest, verifyReleaseRecord } from './release/verify';

export const RELEASE_VERIFY_COMMAND = {
  command: 'npm run release:verify --',
  summary:
    'Recomputes the hashes a release record names (config, image digests, templates, model cards, validation\nreport, security reports, SBOMs) from a checkout and its cloud assembly, and says what matches.',
  positionals: { name: '<record.json>', description: 'the release record (downloaded from the release-record bucket)' },
  options: {
    root: { type: 'string', valueName: '<dir>', description: 'the checkout of the recorded commit (default: .)' },
    assembly: { type: 'string', valueName: '<dir>', description: 'its cloud assembly (default: <root>/cdk.out)' },
    reports: { type: 'string', valueName: '<dir>', description: 'its reports directory (default: <root>/reports)' },
    strict: { type: 'boolean', description: 'fail when an item cannot be checked here (MISSING)' },
  },
  epilogue:
    'exit codes: 0 nothing differs; 1 something differs (or, with --strict, is missing); 2 wrong arguments or not a release record.',
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

type Options = Values<typeof RELEASE_VERIFY_COMMAND.options>;

function main(opts: Options, positionals: readonly string[]): number {
  const file = positionals[0]!;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: cannot read it as JSON: ${(err as Error).message}`);
  }
  let record;
  try {
    record = parseReleaseRecord(doc);
  } catch (err) {
    throw new InputError(`${file}: ${(err as Error).message}`);
  }
  const root = opts.root ?? '.';
  const items = verifyReleaseRecord(record, {
    root,
    assembly: opts.assembly ?? join(root, 'cdk.out'),
    reports: opts.reports ?? join(root, 'reports'),
  });
  console.log(
    `release record ${record.projectName}/${record.environment.name} execution ${record.pipeline.executionId}, commit ${record.commit} (sha256 ${recordDigest(record)})`,
  );
  for (const i of items) console.log(`${i.outcome.padEnd(7)} ${i.item}${i.detail ? ` — ${i.detail}` : ''}`);
  const count = (o: string) => items.filter((i) => i.outcome === o).length;
  console.log(`${count('MATCH')} match, ${count('DIFFERS')} differ, ${count('MISSING')} missing`);
  return count('DIFFERS') > 0 || (opts.strict === true && count('MISSING') > 0) ? 1 : 0;
}

if (require.main === module) runAsMain(RELEASE_VERIFY_COMMAND, main);
