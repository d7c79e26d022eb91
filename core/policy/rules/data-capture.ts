/**
 * Data capture rules (area CAPTURE): captured inference data feeds drift and fairness monitoring, and it is personal
 * data, so it must exist, be encrypted, be minimal and be deleted on time.
 */
import { DataCaptureFacts, EndpointConfigFacts } from '../facts';
import { compliant, defineRule, nonCompliant, notApplicable, RuleResult, unknownValue } from '../rule';
import { judgeCustomerManagedKey } from './kms-key';

/**
 * Capture that records neither side of the exchange is capture in name only. Capture whose EnableCapture is unknown
 * may be on, so the rules about what is captured still judge it.
 */
function activeCapture(facts: EndpointConfigFacts): DataCaptureFacts | undefined {
  const c = facts.dataCapture;
  return c !== undefined && c.enabled !== false && (c.captureInput !== false || c.captureOutput !== false)
    ? c
    : undefined;
}

export const dataCaptureEnabled = defineRule({
  id: 'MLOPS-CAPTURE-1',
  title: 'Endpoint configs capture inference data for drift and fairness monitoring',
  severity: 'MEDIUM',
  rationale:
    'Without captured requests and predictions, drift and fairness cannot be measured and a degrading model serves ' +
    'production unnoticed.',
  remediation:
    'Give the endpoint config a DataCaptureConfig with EnableCapture true and CaptureOptions Input and/or Output ' +
    '(models[].dataCapture.enabled in the config).',
  references: { nist80053: ['SI-4', 'AU-12', 'CA-7'] },
  appliesTo: ['EndpointConfig'],
  check(facts) {
    const c = facts.dataCapture;
    if (c === undefined)
      return nonCompliant('the endpoint config has no DataCaptureConfig; data capture must be enabled');
    if (c.enabled === undefined) return unknownValue('DataCaptureConfig.EnableCapture', 'it must be true');
    if (!c.enabled) return nonCompliant('data capture is disabled (EnableCapture false); it must be enabled');
    if (c.captureInput === false && c.captureOutput === false) {
      return nonCompliant('data capture is enabled but captures neither Input nor Output; capture at least one');
    }
    if (!c.captureInput && !c.captureOutput) {
      return unknownValue('DataCaptureConfig.CaptureOptions', 'Input and/or Output must be captured');
    }
    const modes = [c.captureInput ? 'Input' : undefined, c.captureOutput ? 'Output' : undefined].filter(Boolean);
    return compliant(`data capture is enabled for ${modes.join(' and ')}`);
  },
});

export const dataCaptureEncrypted = defineRule({
  id: 'MLOPS-CAPTURE-2',
  title: 'Captured inference data is encrypted with a customer-managed KMS key',
  severity: 'HIGH',
  rationale:
    'Captured payloads are copies of inference requests and responses, often personal data; encrypting them with a ' +
    'customer-managed key lets the organisation restrict and audit who can read them and revoke access at once.',
  remediation: 'Set DataCaptureConfig.KmsKeyId to the platform’s customer-managed data-capture key.',
  references: { gdpr: ['Art. 32(1)(a)', 'Art. 5(1)(f)'], nist80053: ['SC-28', 'SC-28(1)', 'SC-12'] },
  appliesTo: ['EndpointConfig'],
  check(facts) {
    const c = activeCapture(facts);
    if (c === undefined) return notApplicable('data capture is not enabled, so nothing is captured to encrypt');
    return judgeCustomerManagedKey(c.kmsKey, 'data capture');
  },
});

export const dataCaptureMinimised = defineRule({
  id: 'MLOPS-CAPTURE-3',
  title: 'Data capture samples no more than the policy’s maximum percentage of requests',
  severity: 'MEDIUM',
  rationale:
    'Drift statistics need a sample, not every request; capturing more personal data than the purpose needs breaks ' +
    'data minimisation (GDPR Art. 5(1)(c)) and data protection by default (Art. 25(2)).',
  remediation:
    'Lower DataCaptureConfig.InitialSamplingPercentage (models[].dataCapture.samplingPercent) to at most ' +
    'compliance.maxCaptureSamplingPercent.',
  references: { gdpr: ['Art. 5(1)(c)', 'Art. 25(2)'], nist80053: ['SI-12(1)', 'PT-2'] },
  appliesTo: ['EndpointConfig'],
  check(facts, { policy }) {
    const c = activeCapture(facts);
    if (c === undefined) return notApplicable('data capture is not enabled, so nothing is sampled');
    const max = policy.maxCaptureSamplingPercent;
    if (c.samplingPercent === undefined)
      return unknownValue('DataCaptureConfig.InitialSamplingPercentage', `at most ${max} is allowed`);
    return c.samplingPercent <= max
      ? compliant(`sampling percentage ${c.samplingPercent} is within the maximum ${max}`)
      : nonCompliant(`sampling percentage ${c.samplingPercent} exceeds the maximum ${max} (data minimisation)`);
  },
});

/** Longest an object can survive in the bucket under its lifecycle rules; a reason when unbounded. */
export function maximumRetentionDays(facts: {
  readonly versioned: boolean | undefined;
  readonly expirationDays?: number;
  readonly noncurrentExpirationDays?: number;
}): { days: number } | { unbounded: string } {
  if (facts.expirationDays === undefined) {
    return { unbounded: 'the bucket has no whole-bucket lifecycle expiration of current objects' };
  }
  if (facts.versioned === false) return { days: facts.expirationDays };
  // Expiring a current version in a versioned bucket only makes it noncurrent; it lives until noncurrent expiry.
  // Unknown versioning is judged as versioned: the bound must hold either way.
  if (facts.noncurrentExpirationDays === undefined) {
    return {
      unbounded:
        `the bucket is ${facts.versioned ? 'versioned' : 'possibly versioned (versioning unknown)'} and current ` +
        `objects expire after ${facts.expirationDays} days, but noncurrent versions never expire`,
    };
  }
  return { days: facts.expirationDays + facts.noncurrentExpirationDays };
}

export const captureRetentionLimited = defineRule({
  id: 'MLOPS-CAPTURE-4',
  title: 'The data-capture bucket deletes captured data within the retention period',
  severity: 'HIGH',
  rationale:
    'Personal data may be kept no longer than the purpose needs (storage limitation, GDPR Art. 5(1)(e)); lifecycle ' +
    'expiration enforces the limit without relying on anyone remembering to delete.',
  remediation:
    'Add an enabled whole-bucket lifecycle rule whose ExpirationInDays plus (for versioned buckets) ' +
    'NoncurrentVersionExpiration.NoncurrentDays is at most compliance.captureRetentionDays.',
  references: { gdpr: ['Art. 5(1)(e)', 'Art. 25(2)'], nist80053: ['SI-12', 'SI-12(3)'] },
  appliesTo: ['Bucket'],
  check(facts, { policy }): RuleResult {
    // The bucket an endpoint captures to holds captured data whatever its tag says.
    if (facts.purpose !== 'data-capture' && facts.captureDestination !== true)
      return notApplicable(
        `bucket purpose is ${facts.purpose}, not data-capture, and no endpoint config of the source captures to it`,
      );
    const limit = policy.captureRetentionDays;
    if (facts.lifecycleUnknown === true) {
      return unknownValue('the lifecycle configuration', `captured data must be deleted within ${limit} days`);
    }
    const retention = maximumRetentionDays(facts);
    if ('unbounded' in retention) {
      return nonCompliant(
        `${retention.unbounded}, so captured data is kept indefinitely; at most ${limit} days is allowed`,
      );
    }
    const how =
      facts.versioned !== false
        ? `${facts.expirationDays} days current + ${facts.noncurrentExpirationDays} days noncurrent`
        : `${facts.expirationDays} days`;
    return retention.days <= limit
      ? compliant(`captured data is kept at most ${retention.days} days (${how}), within ${limit}`)
      : nonCompliant(`captured data may be kept ${retention.days} days (${how}); at most ${limit} days is allowed`);
  },
});
