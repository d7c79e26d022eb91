import { RULES } from '../../lib/policy/catalogue';
import { mdCell, toMarkdown } from '../../lib/reports/markdown';
import { buildSecurityReport, parseValidationReport } from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';

const md = toMarkdown(buildSecurityReport(parseValidationReport(sample)));
const section = (title: string) =>
  md.slice(md.indexOf(`## ${title}`), md.indexOf('\n## ', md.indexOf(`## ${title}`) + 1));
/** Cells of a table row, split on unescaped pipes only. */
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1);

describe('Markdown report', () => {
  test('summarizes each pack with its counts and conclusion', () => {
    expect(md).toMatch(
      /^# Security report\n\n\*\*FAIL\*\*: 3 open, 2 acknowledged findings across 6 packs \(2 failed\)/,
    );
    expect(md).toContain('| AwsSolutions | failure | 1 | 1 |');
    expect(md).toContain('| HIPAA.Security | no findings reported | 0 | 0 |');
  });

  test('lists open findings before acknowledgements', () => {
    const open = section('Open findings (3)');
    expect(open).toContain('AwsSolutions-IAM5\\[Resource::\\*\\]');
    expect(open).toContain('warning');
    expect(md.indexOf('## Open findings')).toBeLessThan(md.indexOf('## Acknowledged findings'));
  });

  test('lists every acknowledgement with pack, finding, place and reason', () => {
    const rows = section('Acknowledged findings (2)')
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Pack') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(2);
    expect(cells(rows[1]!).map((c) => c.trim())).toEqual([
      'MLOPS',
      'MLOPS-BUCKET-1',
      'staging/Platform/ReportsBucket/Resource (ReportsBucketABC123 in stagingPlatform.template.json)',
      'staging/Platform/ReportsBucket',
      'Reports are public build artefacts, logged by CloudTrail data events instead.',
    ]);
  });

  test('escapes pipes, HTML and newlines from untrusted text', () => {
    // GIVEN a reason and construct path with `|`, `<script>` and a newline (fixture)
    const row = section('Acknowledged findings (2)')
      .split('\n')
      .find((l) => l.startsWith('| AwsSolutions'))!;

    // THEN the row keeps its five cells and nothing renders as HTML
    expect(cells(row)).toHaveLength(5);
    expect(row).not.toMatch(/(?<!\\)<script/);
    expect(row).toContain("\\<script\\>alert('x')\\</script\\> \\| logging");
    expect(row).toContain('loop<br>second line');
    expect(md).not.toContain('AccessLogs|Bucket');
    expect(mdCell('a | b\r\nc [x](y) *z*')).toBe('a \\| b<br>c \\[x\\](y) \\*z\\*');
  });

  test('ends with the MLOPS rule catalogue and its references', () => {
    const catalogue = md.slice(md.indexOf('## MLOPS rule catalogue'));
    for (const r of RULES) expect(catalogue).toContain(`| ${r.id} |`);
    expect(catalogue).toContain('| MLOPS-BUCKET-1 | Buckets log access to an access-log bucket | MEDIUM |');
    expect(catalogue).toContain('AU-2, AU-12');
  });
});
