import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module a file imports, relative ones resolved to a repository path. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^import [^;]*? from '([^']+)';/gms)].map(([, spec]) =>
    (spec as string).startsWith('.') ? relative(ROOT, resolve(ROOT, file, '..', spec as string)) : (spec as string),
  );
}

describe('baseline and contract layering', () => {
  it.each(['lib/baseline', 'core/contracts'])('%s is pure: zod, node and core/ only', (dir) => {
    // GIVEN the modules shared by the CLI, the config loader and the detector
    // WHEN their imports are listed THEN none reaches aws-cdk-lib, the SDK, lambda/ or other parts of lib/
    const outside = tsFiles(dir).flatMap((f) =>
      importsOf(f)
        .filter((m) => !(m === 'zod' || m.startsWith('node:') || m.startsWith('core/')))
        .map((m) => `${f} imports ${m}`),
    );
    expect(outside).toEqual([]);
  });

  it('lets the drift detector import core/, never lib/', () => {
    // GIVEN the detector's modules WHEN their lib/ imports are listed THEN there are none
    const back = tsFiles('lambda/drift-detector').flatMap((f) =>
      importsOf(f)
        .filter((m) => m.startsWith('lib/'))
        .map((m) => `${f} imports ${m}`),
    );
    expect(back).toEqual([]);
  });
});
