/**
 * The published JSON Schema is generated from the zod schema, committed, and accepts what the loader accepts: a
 * standard validator (Ajv, draft 2020-12), as an editor would use, judges the example configs with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchemaText } from '../../lib/config/json-schema';
import { defaultConfigDocument, largeConfigDocument } from '../support/app';

const ROOT = join(__dirname, '..', '..');
const committed = readFileSync(join(ROOT, CONFIG_JSON_SCHEMA_PATH), 'utf8');
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(committed));

describe('config JSON Schema', () => {
  it('is what `npm run config-schema` generates from the zod schema (not stale)', () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  it('accepts the embedded default and the large example config, which points at it with $schema', () => {
    expect(validate(defaultConfigDocument())).toBe(true);
    const large = largeConfigDocument() as { $schema?: string };
    expect(large.$schema).toBe('../../lib/config/mlops-config.schema.json');
    expect(validate(large)).toBe(true);
  });

  it('rejects a typo and a value out of range, at their paths', () => {
    // GIVEN the README's old field name and a canary step above 50
    const doc = defaultConfigDocument() as { models: Record<string, any>[] };
    doc.models[0]!.modelDataUrl = 's3://x/m.tar.gz';
    doc.models[0]!.rollout.stepPercent = 80;
    // THEN the editor-side validator names both
    expect(validate(doc)).toBe(false);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        '/models/0 additionalProperties {"additionalProperty":"modelDataUrl"}',
        '/models/0/rollout/stepPercent maximum {"comparison":"<=","limit":50}',
      ]),
    );
  });
});
