import { esc, toHtml } from '../../lib/reports/html';
import { buildSecurityReport, parseValidationReport } from '../../lib/reports/validation-report';
import sample from '../fixtures/validation-report.sample.json';

const html = toHtml(buildSecurityReport(parseValidationReport(sample)));

describe('HTML report', () => {
  test('is one self-contained page that cannot run scripts', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
  });

  test('escapes untrusted construct paths and reasons', () => {
    expect(html).toContain('It is the access-log bucket &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; | logging');
    expect(html).toContain('<td>staging/Platform/AccessLogs|Bucket</td>');
    expect(esc(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });

  test('has the summary, open findings, acknowledgements and catalogue, in that order', () => {
    const order = [
      '<h2>Summary',
      '<h2>Open findings (3)',
      '<h2>Acknowledged findings (2)',
      '<h2>MLOPS rule catalogue',
    ].map((h) => html.indexOf(h));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<td>MLOPS-BUCKET-1</td><td>Buckets log access to an access-log bucket</td><td>MEDIUM</td>');
    expect(html).toContain('<strong class="fail">FAIL</strong>');
  });
});
