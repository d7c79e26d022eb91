/**
 * `npm run config-schema`: writes the config's JSON Schema (generated from the zod schema) to
 * lib/config/mlops-config.schema.json; `--check` exits 1 instead when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandSpec, OptionSpec, runAsMain } from '../lib/cli/args';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchemaText } from '../lib/config/json-schema';

const COMMAND = {
  command: 'npm run config-schema --',
  summary: `Writes the config's JSON Schema, generated from the zod schema, to ${CONFIG_JSON_SCHEMA_PATH}.`,
  options: {
    check: { type: 'boolean', description: 'write nothing; exit 1 when the committed file differs' },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

if (require.main === module) {
  runAsMain(COMMAND, ({ check }) => {
    const file = join(__dirname, '..', CONFIG_JSON_SCHEMA_PATH);
    const text = configJsonSchemaText();
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current === text) return 0;
      process.stderr.write(`${CONFIG_JSON_SCHEMA_PATH} is stale: run \`npm run config-schema\`\n`);
      return 1;
    }
    writeFileSync(file, text);
    process.stdout.write(`wrote ${CONFIG_JSON_SCHEMA_PATH}\n`);
    return 0;
  });
}
