import type { CompliancePolicy } from '../contracts/compliance-checker';

/** The policy's one definition is its schema in core/contracts, which the config loader and the checker both use. */
export type { CompliancePolicy };

/** What a rule sees besides the facts. */
export interface PolicyContext {
  readonly policy: CompliancePolicy;
  /** Evaluation time; rules never read the clock themselves. */
  readonly now: Date;
}
