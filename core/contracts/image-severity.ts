/**
 * ECR's image-finding severities: the policy's `maxSeverity` (core/contracts/compliance-checker.ts) and the image
 * rules (core/policy/rules/image.ts) both read them, so they live here, below both. Pure.
 */

/** ECR finding severities, lowest first. `UNDEFINED` is ECR's own bucket for unrated findings. */
export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
