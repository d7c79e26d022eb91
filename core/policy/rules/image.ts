/**
 * Image rules (area IMG): scan findings (run time only: they exist only for images pushed to a live registry), and
 * where a model's images come from (every stage).
 */
import { ImageFacts, NOT_ECR, SEVERITIES, Severity } from '../facts';
import { compliant, defineRule, nonCompliant, unknownValue } from '../rule';
import { isProjectAccount, projectAccounts } from './accounts';

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

export const modelImageFromProjectRegistry = defineRule({
  id: 'MLOPS-IMG-3',
  title: 'Model images come from the project’s ECR registries, pinned by digest or an immutable tag',
  severity: 'HIGH',
  rationale:
    'An image from a registry outside the project’s accounts (another account’s ECR, Docker Hub, a public ' +
    'registry) was neither built nor scanned by the project, and its owner can replace it; a reference by a ' +
    'mutable tag (`latest`, or no tag at all) can point at a different image at the next deployment or scale-out.',
  remediation:
    'Push the image to the environment’s model repository (ECR, immutable tags, scanned) and reference it by ' +
    'digest or by a release tag (models[].image in the config).',
  references: { nist80053: ['SI-7', 'CM-14', 'SR-4', 'SR-11'] },
  appliesTo: ['Model'],
  // Plan time cannot show it: the module joins the image from a repository being created in a local value, and the
  // plan JSON holds neither the value (known after apply) nor a local's expression. Synth reads CDK's join.
  stages: ['synth', 'run'],
  check(facts, ctx) {
    const sources = facts.imageSources;
    if (sources === undefined) return unknownValue('the image sources', 'images must come from the project’s ECR');
    if (sources.length === 0)
      return unknownValue('the model’s container image', 'images must come from the project’s ECR');
    const problems: string[] = [];
    const unknown: string[] = [];
    for (const s of sources) {
      if (s.registryAccount === NOT_ECR) problems.push(`${s.uri} is not from a private ECR registry`);
      else if (s.registryAccount === undefined) unknown.push(`the registry of ${s.uri}`);
      else if (!isProjectAccount(s.registryAccount, facts, ctx))
        problems.push(`${s.uri} comes from account ${s.registryAccount}, outside ${projectAccounts(facts, ctx)}`);
      if (s.pin === undefined) unknown.push(`the tag or digest of ${s.uri}`);
      else if ('tag' in s.pin && s.pin.tag === 'latest')
        problems.push(`${s.uri} is referenced by the mutable tag "latest" (explicitly or by giving no tag)`);
    }
    if (problems.length > 0)
      return nonCompliant(
        `${problems.join('; ')}; images must come from the project’s ECR, pinned by digest or release tag`,
      );
    if (unknown.length > 0) return unknownValue(unknown.join(', '), 'images must come from the project’s ECR, pinned');
    return compliant(`image(s) ${sources.map((s) => s.uri).join(', ')} come from the project’s ECR, pinned`);
  },
});
