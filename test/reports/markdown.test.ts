import { RULES } from '../../core/policy/catalogue';
import { MARKDOWN_COMMENT_BUDGET, mdCell, toMarkdown } from '../../lib/reports/markdown';
import { buildSecurityReport, parseValidationReport } from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';
import { syntheticValidationReport } from '../support/synthetic-validation-report';

const report = buildSecurityReport(parseValidationReport(sample));
const md = toMarkdown(report, {
  baseDir: '/work/main',
  provenance: { commit: '0123456789abcdef', configFile: 'cdk.json', tools: { 'cdk-nag': '3.0.2' } },
});
const section = (title: string) =>
  md.slice(md.indexOf(`## ${title}`), md.indexOf('\n## ', md.indexOf(`## ${title}`) + 1));
/** Cells of a table row, split on unescaped pipes only. */
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1);
const rowsOf = (text: string, header: string) =>
  text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith(`| ${header}`) && !l.startsWith('| ---'));

describe('Markdown report', () => {
  test('summarizes each pack with its counts and conclusion, with provenance', () => {
    expect(md).toMatch(
      /^# Security report\n\n\*\*FAIL\*\*: 3 open, 2 acknowledged findings across 6 packs \(2 failed\)/,
    );
    expect(md).toContain('| AwsSolutions | failure | 1 | 1 |');
    expect(md).toContain('| HIPAA.Security | no findings reported | 0 | 0 |');
    expect(md).toContain('Provenance: commit 0123456789ab, config cdk.json, cdk-nag 3.0.2.');
  });

  test('lists open findings, with stack and source line, before acknowledgements', () => {
    const open = rowsOf(section('Open findings (3)'), 'Pack');
    expect(open).toHaveLength(3);
    expect(cells(open[0]!).map((c) => c.trim())).toEqual([
      'AwsSolutions',
      'AwsSolutions-IAM5\\[Resource::\\*\\]',
      'error',
      'staging/Model',
      'staging/Model/Endpoint/Role/Resource',
      'lib/constructs/model-endpoint.ts:154',
      'The IAM entity contains wildcard permissions.',
    ]);
    expect(md.indexOf('## Open findings')).toBeLessThan(md.indexOf('## Acknowledged findings'));
  });

  test('lists every acknowledgement, collapsed, with its reason and where it is written', () => {
    const acks = section('Acknowledged findings (2)');
    expect(acks).toMatch(/^## Acknowledged findings \(2\)\n\n<details><summary>/);
    const rows = rowsOf(acks, 'Pack');
    expect(rows).toHaveLength(2);
    expect(cells(rows[0]!).map((c) => c.trim())[6]).toBe('lib/stacks/platform-stack.ts:80');
    expect(cells(rows[1]!).map((c) => c.trim())).toEqual([
      'MLOPS',
      'MLOPS-BUCKET-1',
      '1',
      'staging/Platform',
      'staging/Platform/ReportsBucket',
      'Reports are public build artefacts, logged by CloudTrail data events instead.',
      'staging/Platform/ReportsBucket',
    ]);
  });

  test('escapes pipes, HTML and newlines from untrusted text', () => {
    // GIVEN a reason and construct path with `|`, `<script>` and a newline (fixture)
    const row = rowsOf(section('Acknowledged findings (2)'), 'Pack').find((l) => l.startsWith('| AwsSolutions'))!;
    // THEN the row keeps its seven cells and nothing renders as HTML
    expect(cells(row)).toHaveLength(7);
    expect(row).not.toMatch(/(?<!\\)<script/);
    expect(row).toContain("\\<script\\>alert('x')\\</script\\> \\| logging");
    expect(row).toContain('loop<br>second line');
    expect(md).not.toContain('AccessLogs|Bucket');
    expect(mdCell('a | b\r\nc [x](y) *z*')).toBe('a \\| b<br>c \\[x\\](y) \\*z\\*');
  });

  test('ends with the MLOPS rule catalogue, collapsed, with its references', () => {
    const catalogue = md.slice(md.indexOf('## MLOPS rule catalogue'));
    expect(catalogue).toContain('<details><summary>');
    for (const r of RULES) expect(catalogue).toContain(`| ${r.id} |`);
    expect(catalogue).toContain('| MLOPS-BUCKET-1 | Buckets log access to an access-log bucket | MEDIUM |');
    expect(catalogue).toContain('AU-2, AU-12');
  });

  test('stays far below the comment limit for 50 models, open findings first, cuts counted', () => {
    // GIVEN 50 models in two environments: 1,500 open and 4,000 acknowledged findings
    const big = buildSecurityReport(parseValidationReport(syntheticValidationReport(50)));
    // WHEN
    const text = toMarkdown(big);
    // THEN it fits with room to spare, leads with the open findings and says what was left out
    expect(text.length).toBeLessThanOrEqual(MARKDOWN_COMMENT_BUDGET);
    expect(MARKDOWN_COMMENT_BUDGET).toBeLessThan(65536 * 0.8);
    expect(text).toContain('## Open findings (1500)');
    expect(text).toMatch(/… and \d+ more: see `security-report\.html`/);
    expect(text.indexOf('## Open findings')).toBeLessThan(text.indexOf('## Acknowledged findings'));
  });

  test('fits a smaller budget by cutting rows, never by losing the summary', () => {
    const big = buildSecurityReport(parseValidationReport(syntheticValidationReport(50)));
    const text = toMarkdown(big, { maxChars: 8000 });
    expect(text.length).toBeLessThanOrEqual(8000);
    expect(text).toContain('## Summary');
    expect(text).toContain('| AwsSolutions | failure | 300 | 800 |');
  });

  test('lists new and fixed open findings against a base report', () => {
    // GIVEN a base where the IAM5 finding was not there and another finding was open
    const base = structuredClone(sample);
    base.pluginReports[0]!.violations[0]!.violatingConstructs[0]!.constructPath = 'staging/Old/Role/Resource';
    // WHEN
    const text = toMarkdown(report, { base: buildSecurityReport(parseValidationReport(base)) });
    // THEN
    expect(text).toContain('## Changes against the base report: 1 new, 1 fixed');
    const changes = text.slice(text.indexOf('## Changes'), text.indexOf('## Open findings'));
    expect(changes).toMatch(
      /<details open><summary>New open findings \(1\)<\/summary>[\s\S]*staging\/Model\/Endpoint\/Role/,
    );
    expect(changes).toMatch(/Fixed or acknowledged since the base \(1\)<\/summary>[\s\S]*staging\/Old\/Role\/Resource/);
  });
});
