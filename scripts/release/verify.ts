/**
 * Recomputes what a release record hashes from a checkout and a cloud assembly, and says for each item whether it
 * matches, differs, or cannot be checked here (the file is not present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseRecord, ReleaseRecordSchema } from '../../core/contracts/release-record';
import { describeProblems, problemsOf } from '../../core/contracts/problems';
import { canonicalJson, imagesOf, modelCardsOf, readConfig, sha256, sha256File } from './evidence';

export type Outcome = 'MATCH' | 'DIFFERS' | 'MISSING';

export interface CheckedItem {
  readonly outcome: Outcome;
  /** What was checked, e.g. `config cdk.json`, `template assembly-staging/x.template.json`. */
  readonly item: string;
  readonly detail?: string;
}

export interface VerifyInputs {
  readonly root: string;
  readonly assembly: string;
  readonly reports: string;
}

export function parseReleaseRecord(doc: unknown): ReleaseRecord {
  const parsed = ReleaseRecordSchema.safeParse(doc);
  if (!parsed.success) throw new Error(describeProblems('the release record', problemsOf(parsed.error.issues, doc)));
  return parsed.data;
}

export function verifyReleaseRecord(record: ReleaseRecord, inputs: VerifyInputs): CheckedItem[] {
  const out: CheckedItem[] = [];
  const hashed = (kind: string, dir: string, f: { file: string; sha256: string }) => {
    const path = join(dir, f.file);
    if (!existsSync(path)) {
      out.push({ outcome: 'MISSING', item: `${kind} ${f.file}`, detail: `no ${path}` });
      return;
    }
    const actual = sha256File(path);
    out.push(
      actual === f.sha256
        ? { outcome: 'MATCH', item: `${kind} ${f.file}` }
        : { outcome: 'DIFFERS', item: `${kind} ${f.file}`, detail: `recorded ${f.sha256}, here ${actual}` },
    );
  };

  // The config, and the digests it names.
  const configPath = join(inputs.root, record.config.file);
  if (!existsSync(configPath)) {
    out.push({ outcome: 'MISSING', item: `config ${record.config.file}`, detail: `no ${configPath}` });
  } else {
    const configFile = record.config.file === 'cdk.json' ? undefined : record.config.file;
    const { sha256: actual, config } = readConfig(inputs.root, configFile);
    out.push(
      actual === record.config.sha256
        ? { outcome: 'MATCH', item: `config ${record.config.file}` }
        : {
            outcome: 'DIFFERS',
            item: `config ${record.config.file}`,
            detail: `recorded ${record.config.sha256}, here ${actual}`,
          },
    );
    let images: ReleaseRecord['images'] = [];
    try {
      images = imagesOf(config);
    } catch (err) {
      out.push({ outcome: 'DIFFERS', item: 'images', detail: (err as Error).message });
    }
    for (const r of record.images) {
      const here = images.find((i) => i.model === r.model);
      out.push(
        here === undefined
          ? { outcome: 'DIFFERS', item: `image ${r.model}`, detail: 'the config here has no such model' }
          : here.repository === r.repository && here.digest === r.digest
            ? { outcome: 'MATCH', item: `image ${r.model} ${r.repository}@${r.digest}` }
            : {
                outcome: 'DIFFERS',
                item: `image ${r.model}`,
                detail: `recorded ${r.repository}@${r.digest}, config here ${here.repository}@${here.digest}`,
              },
      );
    }
  }

  // The environment's templates and the model cards in them.
  for (const t of record.assembly.templates) hashed('template', inputs.assembly, t);
  if (record.assembly.validationReport) hashed('validation report', inputs.assembly, record.assembly.validationReport);
  const cardsHere = record.assembly.templates
    .map((t) => join(inputs.assembly, t.file))
    .filter((p) => existsSync(p))
    .flatMap((p) => modelCardsOf(JSON.parse(readFileSync(p, 'utf8'))));
  for (const c of record.modelCards) {
    const here = cardsHere.find((h) => h.name === c.name);
    out.push(
      here === undefined
        ? { outcome: 'MISSING', item: `model card ${c.name}`, detail: 'not in the templates found here' }
        : here.sha256 === c.sha256 && here.status === c.status
          ? { outcome: 'MATCH', item: `model card ${c.name} (${c.status})` }
          : {
              outcome: 'DIFFERS',
              item: `model card ${c.name}`,
              detail: `recorded ${c.status} ${c.sha256}, here ${here.status} ${here.sha256}`,
            },
    );
  }

  // Reports and SBOMs.
  for (const f of record.reports) hashed('report', inputs.reports, f);
  for (const f of record.sboms) hashed('sbom', inputs.reports, f);
  return out;
}

/** The canonical content hash of a record: what an auditor quotes. */
export function recordDigest(record: ReleaseRecord): string {
  return sha256(canonicalJson(record));
}
