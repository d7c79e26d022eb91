/**
 * Image rules (area IMG), run time only: scan findings exist only for images pushed to a live registry.
 */
import { ImageFacts, SEVERITIES, Severity } from '../facts';
import { compliant, defineRule, nonCompliant } from '../rule';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Scan states whose severity counts say nothing about the image. */
const FAILED_SCAN_STATES = new Set(['FAILED', 'UNSUPPORTED_IMAGE', 'FINDINGS_UNAVAILABLE', 'SCAN_ELIGIBILITY_EXPIRED']);

function failedScan(scan: NonNullable<ImageFacts['scan']>): boolean {
  return FAILED_SCAN_STATES.has(scan.status.toUpperCase());
}

const label = (f: ImageFacts) =>
  f.imageTags.length > 0 ? `${f.repositoryName}:${f.imageTags.join(',')}` : `${f.repositoryName}@${f.digest}`;

export const imageFindingsWithinThreshold = defineRule({
  id: 'MLOPS-IMG-1',
  title: 'Images have no vulnerability findings above the allowed severity',
  severity: 'HIGH',
  rationale: 'An image with known exploitable vulnerabilities exposes the model and the data it processes.',
  remediation:
    'Rebuild the image on a patched base and with patched dependencies, push a new tag and redeploy; or, after a ' +
    'risk review, raise compliance.maxFindingSeverity.',
  references: { nist80053: ['RA-5', 'SI-2'] },
  appliesTo: ['Image'],
  stages: ['run'],
  check(facts, { policy }) {
    const scan = facts.scan;
    const max = policy.maxFindingSeverity;
    if (scan === undefined) {
      return nonCompliant(`${label(facts)} has no scan results, so it cannot be shown free of findings above ${max}`);
    }
    if (failedScan(scan)) {
      return nonCompliant(`${label(facts)} scan status is ${scan.status}, so its findings above ${max} are unknown`);
    }
    // UNDEFINED is not in SEVERITIES: ECR could not rate it, and it is never counted as above the threshold.
    const above = SEVERITIES.slice(SEVERITIES.indexOf(max) + 1) as readonly Severity[];
    const counts = above.map((s) => [s, scan.findingSeverityCounts[s] ?? 0] as const).filter(([, n]) => n > 0);
    return counts.length === 0
      ? compliant(`${label(facts)} has no findings above ${max}`)
      : nonCompliant(
          `${label(facts)} has findings above ${max}: ${counts.map(([s, n]) => `${s} ${n}`).join(', ')}; ` +
            `at most ${max} is allowed`,
        );
  },
});

export const imageScannedRecently = defineRule({
  id: 'MLOPS-IMG-2',
  title: 'Images were scanned recently',
  severity: 'MEDIUM',
  rationale:
    'New vulnerabilities are published daily; a scan older than the policy’s age says nothing about today’s risk.',
  remediation:
    'Turn on enhanced (continuous) scanning, or rescan the image (StartImageScan) at least every ' +
    'compliance.imageScanMaxAgeDays days.',
  references: { nist80053: ['RA-5', 'CA-7'] },
  appliesTo: ['Image'],
  stages: ['run'],
  check(facts, { policy, now }) {
    const maxDays = policy.imageScanMaxAgeDays;
    const scan = facts.scan;
    if (scan === undefined)
      return nonCompliant(`${label(facts)} was never scanned; a scan within ${maxDays} days is required`);
    if (failedScan(scan))
      return nonCompliant(
        `${label(facts)} scan status is ${scan.status}; a successful scan within ${maxDays} days is required`,
      );
    if (scan.completedAt === undefined) {
      return nonCompliant(
        `${label(facts)} has no completed scan (status ${scan.status}); a scan within ${maxDays} days is required`,
      );
    }
    const at = Date.parse(scan.completedAt);
    if (Number.isNaN(at)) {
      return nonCompliant(
        `${label(facts)} scan completion time "${scan.completedAt}" is not a date; a scan within ${maxDays} days is required`,
      );
    }
    const ageDays = (now.getTime() - at) / DAY_MS;
    const shown = Math.max(0, Math.floor(ageDays * 10) / 10);
    return ageDays <= maxDays
      ? compliant(`${label(facts)} was scanned ${shown} days ago (${scan.completedAt}), within ${maxDays} days`)
      : nonCompliant(
          `${label(facts)} was last scanned ${shown} days ago (${scan.completedAt}); at most ${maxDays} days is allowed`,
        );
  },
});
