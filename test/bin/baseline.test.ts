/**
 * The baseline CLI on real files: CSV read by a real CSV parser (quoted fields and newlines, BOM, delimiter),
 * skipped rows reported by line, a threshold of skipped rows, and the process's exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineDataError, runBaselineCli } from '../../bin/baseline';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'baseline-csv-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
// These CSV-reading cases use a handful of rows: --min-records 1 lets them build.
const FLAGS = ['--features', 'amount:numeric,note:categorical', '--prediction-column', 'label', '--min-records', '1'];

describe('baseline CLI CSV reading', () => {
  it('reads quoted fields with embedded newlines, quotes and delimiters, and a BOM', async () => {
    // GIVEN a CSV with a BOM, a quoted newline, an escaped quote and a quoted comma
    const input = write('quoted.csv', '\ufeffamount,note,label\n1,"two\nlines",0\n2,"say ""hi""",1\n3,"a, b",0\n');
    // WHEN built
    const err: string[] = [];
    const { document } = await runBaselineCli([...FLAGS, '--input', input, '--output', join(dir, 'q.json')], (s) =>
      err.push(s),
    );
    // THEN every row is read, with the values as written
    expect(document.recordCount).toBe(3);
    expect(document.skippedRecords).toBe(0);
    const note = document.features[1]!.distribution;
    expect(note.type === 'categorical' && [...note.categories].sort()).toEqual(
      ['__other__', 'a, b', 'say "hi"', 'two\nlines'].sort(),
    );
  });

  it('reads another delimiter (semicolon, tab)', async () => {
    const semi = write('semi.csv', 'amount;note;label\n1,5;x;0\n2;y;1\n');
    const { document } = await runBaselineCli(
      [...FLAGS, '--input', semi, '--delimiter', ';', '--output', join(dir, 's.json'), '--max-skipped-percent', '50'],
      () => undefined,
    );
    // "1,5" is not a decimal number: that row is skipped, the other read
    expect(document.recordCount).toBe(1);
    const tab = write('tab.csv', 'amount\tnote\tlabel\n1\tx\t0\n');
    const t = await runBaselineCli([...FLAGS, '--input', tab, '--delimiter', 'tab', '--output', join(dir, 't.json')]);
    expect(t.document.recordCount).toBe(1);
  });

  it('fails above the skipped-rows threshold, naming the lines, and writes nothing', async () => {
    // GIVEN 2 bad rows out of 4 (lines 3 and 5)
    const input = write('half.csv', 'amount,note,label\n1,a,0\nx,b,1\n2,c,0\n3,d\n');
    const out = join(dir, 'half.json');
    const err: string[] = [];
    // WHEN built with the default threshold (1%)
    const run = runBaselineCli([...FLAGS, '--input', input, '--output', out], (s) => err.push(s));
    // THEN it fails, says which lines, and leaves no baseline behind
    await expect(run).rejects.toThrow(BaselineDataError);
    await expect(run).rejects.toThrow(
      /2 of 4 records \(50\.0%\) were skipped, above --max-skipped-percent 1; skipped lines 3, 5/,
    );
    expect(err.join('')).toMatch(/half\.csv:3: skipped: amount: "x" is not a decimal number/);
    expect(err.join('')).toMatch(/half\.csv:5: skipped: 2 fields, header has 3/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports an unterminated quote as a skipped record with its line, not a crash', async () => {
    const input = write('open.csv', 'amount,note,label\n1,a,0\n2,"never closed,1\n');
    const err: string[] = [];
    await expect(
      runBaselineCli([...FLAGS, '--input', input, '--output', join(dir, 'o.json')], (s) => err.push(s)),
    ).rejects.toThrow(/1 of 2 records \(50\.0%\) were skipped, above --max-skipped-percent 1; skipped lines 3\./);
    expect(err.join('')).toMatch(/open\.csv:3: skipped: Quote Not Closed/);
  });
});

describe('baseline CLI: too little data', () => {
  it('refuses a baseline of one row by default, writing nothing, and names the fix', async () => {
    // GIVEN a training file with a single usable row
    const input = write('one.csv', 'amount,note,label\n1,a,0\n');
    const out = join(dir, 'one.json');
    // WHEN built without --min-records
    const run = runBaselineCli(
      [
        '--features',
        'amount:numeric,note:categorical',
        '--prediction-column',
        'label',
        '--input',
        input,
        '--output',
        out,
      ],
      () => undefined,
    );
    // THEN
    await expect(run).rejects.toThrow(BaselineDataError);
    await expect(run).rejects.toThrow(
      /one\.csv: only 1 usable record\(s\), fewer than --min-records 100: .* lower --min-records if you accept the noise/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a --min-records that is not a positive integer', async () => {
    const input = write('two.csv', 'amount,note,label\n1,a,0\n2,b,1\n');
    await expect(
      runBaselineCli([...FLAGS.slice(0, 4), '--min-records', '0', '--input', input, '--output', join(dir, 'z.json')]),
    ).rejects.toThrow('--min-records must be an integer >= 1, got "0"');
  });
});

describe('baseline CLI process', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'bin/baseline.ts'), ...args], {
      encoding: 'utf8',
      cwd: ROOT,
    });

  it('prints its usage for --help and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: npm run baseline -- \[options\]/);
    expect(r.stdout).toMatch(/--max-skipped-percent/);
  });

  it('rejects an unknown flag with the known ones and exits 2', () => {
    const r = run('--inptu', 'x.csv');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "--inptu"; did you mean "--input"\? \(known options: --help, --input/);
  });

  it('exits 1 when the data fails the threshold', () => {
    const input = write('bad.csv', 'amount,note,label\nx,a,0\n');
    const r = run(...FLAGS, '--input', input, '--output', join(dir, 'bad.json'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no usable records \(1 skipped, at lines 2\)/);
    expect(readFileSync(input, 'utf8')).toContain('x,a,0');
  });
});
