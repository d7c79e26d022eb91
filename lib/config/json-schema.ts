/**
 * The config's JSON Schema, generated from the zod schema (zod 4's z.toJSONSchema), so editors validate and complete
 * a config file from the same definition the loader enforces. `npm run config-schema` writes it to
 * lib/config/mlops-config.schema.json; a test fails when the committed file is stale. Cross-field rules (residency,
 * sampling within policy, unique names, baseline files) are the loader's: JSON Schema cannot express them.
 */
import { z } from 'zod';
import { ConfigSchema } from './schema';

/** Where the generated schema is committed, relative to the repository root. */
export const CONFIG_JSON_SCHEMA_PATH = 'lib/config/mlops-config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // io 'input': fields with defaults are optional, as a user writes the document.
  const generated = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://github.com/mlops-secure-delivery/mlops-config.schema.json',
    title: 'MLOps secure delivery config',
    description:
      'One document: projectName, environments, compliance, tags, models. Validated by lib/config/loader.ts, which also checks the cross-field rules this schema cannot express.',
    ...rest,
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
