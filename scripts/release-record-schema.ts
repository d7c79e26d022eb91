/**
 * Writes the release record's JSON Schema (generated from the zod schema in core/contracts/release-record.ts):
 *   npm run release:schema
 * A test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandSpec, OptionSpec, runAsMain } from '../lib/cli/args';
import { RELEASE_RECORD_JSON_SCHEMA_PATH, releaseRecordJsonSchemaText } from '../core/contracts/release-record';

export const RELEASE_SCHEMA_COMMAND = {
  command: 'npm run release:schema --',
  summary: `Writes the release record's JSON Schema to ${RELEASE_RECORD_JSON_SCHEMA_PATH}.`,
  options: {},
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

if (require.main === module) {
  runAsMain(RELEASE_SCHEMA_COMMAND, () => {
    writeFileSync(join(__dirname, '..', RELEASE_RECORD_JSON_SCHEMA_PATH), releaseRecordJsonSchemaText());
    console.log(`wrote ${RELEASE_RECORD_JSON_SCHEMA_PATH}`);
    return 0;
  });
}
