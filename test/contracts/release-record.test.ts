/** The release record's contract: its committed JSON Schema is current, and accepts what the zod schema accepts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  RELEASE_RECORD_JSON_SCHEMA_PATH,
  ReleaseRecordSchema,
  releaseRecordJsonSchemaText,
  releaseRecordKey,
} from '../../core/contracts/release-record';
import { imageGateParameters, parseGateCounts, renderGateCounts } from '../../core/contracts/pipeline-gate';

const ROOT = join(__dirname, '..', '..');
const H = 'c'.repeat(64);
const record = {
  kind: 'mlops-release-record',
  version: 1,
  projectName: 'mlops',
  environment: { name: 'production', account: '222222222222', region: 'eu-west-1' },
  pipeline: { name: 'mlops-delivery', executionId: 'e-1' },
  commit: 'a'.repeat(40),
  writtenAt: '2026-12-06T05:00:00.000Z',
  config: { file: 'cdk.json', sha256: H },
  images: [{ model: 'fraud-xgb', repository: 'fraud-xgb', tag: '1.0.0', digest: `sha256:${H}` }],
  assembly: { templates: [{ file: 'assembly-production/x.template.json', sha256: H }] },
  reports: [],
  sboms: [{ file: 'sbom/app.cdx.json', sha256: H }],
  gates: [{ action: 'ImageGate', status: 'Succeeded', summary: 'ok' }],
  approval: {
    approver: 'arn:aws:sts::1:assumed-role/a/b',
    requestedAt: '2026-12-06T01:00:00Z',
    approvedAt: '2026-12-06T02:00:00Z',
  },
  modelCards: [{ name: 'mlops-production-fraud-xgb-card', status: 'Approved', sha256: H }],
};

describe('release record contract', () => {
  test('the committed JSON Schema is the one generated from the zod schema (npm run release:schema)', () => {
    expect(readFileSync(join(ROOT, RELEASE_RECORD_JSON_SCHEMA_PATH), 'utf8')).toBe(releaseRecordJsonSchemaText());
  });

  test('the JSON Schema and the zod schema agree on a valid record and on broken ones', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(releaseRecordJsonSchemaText()) as object);
    expect(validate(record)).toBe(true);
    expect(ReleaseRecordSchema.safeParse(record).success).toBe(true);
    for (const broken of [
      { ...record, images: [{ ...record.images[0], digest: '1.0.0' }] },
      { ...record, config: { file: 'cdk.json', sha256: 'nothex' } },
      { ...record, extra: true },
      { ...record, kind: 'something-else' },
    ]) {
      expect(validate(broken)).toBe(false);
      expect(ReleaseRecordSchema.safeParse(broken).success).toBe(false);
    }
  });

  test('records are keyed by environment and execution', () => {
    expect(releaseRecordKey('production', 'e-1')).toBe('releases/production/e-1.json');
  });
});

describe('gate contract for release integrity', () => {
  test('counts render and parse back', () => {
    const c = { findings: 4, resources: 2, failing: 1, failingRules: ['A-1', 'B-2'], unreadable: 0, missing: 3 };
    expect(parseGateCounts(`${renderGateCounts(c)} and prose`)).toEqual(c);
  });

  test('an image with a digest is gated by the digest, never its tag; duplicates once', () => {
    const digest = `sha256:${H}`;
    expect(
      imageGateParameters([
        { repository: 'fraud-xgb', tag: '1.0.0', digest },
        { repository: 'fraud-xgb', tag: '1.0.1', digest },
        { repository: 'other', tag: '2.0.0' },
      ]),
    ).toEqual({
      images: [
        { repository: 'fraud-xgb', digest },
        { repository: 'other', tag: '2.0.0' },
      ],
      failOn: 'LOW',
    });
  });
});
