import { createHash } from 'node:crypto';
import { esc, toHtml } from '../../lib/reports/html';
import { buildSecurityReport, parseValidationReport } from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';

const html = toHtml(buildSecurityReport(parseValidationReport(sample)), {
  baseDir: '/work/main',
  provenance: { commit: 'abc123', configFile: 'cdk.json', tools: { 'cdk-nag': '3.0.2' } },
});

describe('HTML report', () => {
  test('is one self-contained page whose only script is pinned by hash in the CSP', () => {
    // GIVEN the page's one inline script
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    // THEN the CSP allows exactly that script and nothing else loads
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'"`);
    expect(html).not.toMatch(/<link|src=|href=|<script [^>]/i);
  });

  test('escapes untrusted construct paths and reasons', () => {
    expect(html).toContain('It is the access-log bucket &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; | logging');
    expect(html).toContain('<td>staging/Platform/AccessLogs|Bucket/Resource</td>');
    expect(esc(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });

  test('puts the summary and provenance first, then findings grouped by pack, rule and stack, then the catalogue', () => {
    const order = ['<h2>Summary', '<h2>Provenance', '<h2>Findings', '<h2>MLOPS rule catalogue'].map((h) =>
      html.indexOf(h),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<dt>Commit</dt><dd><code>abc123</code></dd>');
    expect(html).toContain('<strong class="fail">FAIL</strong>');
    // Groups with open findings start expanded; fully acknowledged groups start collapsed.
    expect(html).toMatch(/<details class="pack" data-group="AwsSolutions" open>/);
    expect(html).toMatch(
      /<details class="pack" data-group="MLOPS"><summary>MLOPS <span class="badge">0 open, 1 acknowledged/,
    );
    expect(html).toMatch(/<details class="stack" data-group="staging\/Model" open>/);
  });

  test('shows each acknowledgement with its reason and where it is written', () => {
    const row =
      /<tr class="finding acknowledged"[^>]*><td>acknowledged<\/td><td>AwsSolutions-S1<\/td>[\s\S]*?<\/tr>/.exec(
        html,
      )?.[0];
    expect(row).toContain('<td>acknowledged</td>');
    expect(row).toContain('<td>staging/Platform/AccessLogs|Bucket (lib/stacks/platform-stack.ts:80)</td>');
    expect(row).toContain('It is the access-log bucket');
  });
});
