/**
 * What makes an acknowledgement acceptable, defined once: the `acknowledge()` helper refuses a bad one as it is
 * written, and the synth gate (lib/reports/gate.ts) rejects one written any other way (`Validations.of(x)
 * .acknowledge(...)` directly, raw metadata) as an open finding. Pure: no aws-cdk-lib.
 */

/** The audit's rules, as they appear in reports under the `Acknowledgements` pack. */
export const ACKNOWLEDGEMENT_RULES = {
  'ACK-SCOPE': 'An acknowledgement covers one construct subtree, never a whole app, stage or stack',
  'ACK-REASON': 'An acknowledgement gives a reason a reviewer can judge: at least one real sentence',
  'ACK-REUSED': 'An acknowledgement reason is written for its rule, not repeated verbatim across unrelated rules',
  'ACK-UNUSED': 'An acknowledgement removes at least one finding',
} as const;

export type AcknowledgementRule = keyof typeof ACKNOWLEDGEMENT_RULES;

/** The pseudo-pack under which the gate reports rejected acknowledgements. */
export const ACKNOWLEDGEMENT_PACK = 'Acknowledgements';

/** Words (two letters or more) and characters a reason needs to count as a sentence. */
export const MIN_REASON_WORDS = 8;
export const MIN_REASON_CHARS = 40;

/** Why a reason is not one a reviewer can judge, or undefined when it is. */
export function reasonProblem(reason: string): string | undefined {
  const text = reason.trim();
  const words = text.split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w)).length;
  if (words >= MIN_REASON_WORDS && text.length >= MIN_REASON_CHARS) return undefined;
  return (
    `reason ${JSON.stringify(truncate(text, 60))} has ${words} word(s) and ${text.length} character(s); ` +
    `write at least one sentence (${MIN_REASON_WORDS}+ words, ${MIN_REASON_CHARS}+ characters) saying why this finding is acceptable here`
  );
}

/** `<pack>::<finding>` → its parts; an id without a namespace has pack `''`. */
export function splitAcknowledgedId(id: string): { pack: string; findingId: string } {
  const at = id.indexOf('::');
  return at < 0 ? { pack: '', findingId: id } : { pack: id.slice(0, at), findingId: id.slice(at + 2) };
}

/**
 * The rule class an acknowledged id belongs to: the finding without its pack prefix and `[suffix]`. The same
 * control in several packs is one class (`HIPAA.Security-LambdaInsideVPC` and `NIST.800.53.R5-LambdaInsideVPC` are
 * both `LambdaInsideVPC`); `AwsSolutions-IAM5[Action::s3:*]` and `AwsSolutions-IAM5[Resource::*]` are both `IAM5`.
 */
export function ruleClass(id: string): string {
  const { pack, findingId } = splitAcknowledgedId(id);
  const bare = findingId.replace(/\[.*\]$/s, '');
  return pack && bare.startsWith(`${pack}-`) ? bare.slice(pack.length + 1) : bare;
}

/** A reason as compared for reuse: case and spacing do not make two reasons different. */
export function normalizeReason(reason: string): string {
  return reason.trim().replace(/\s+/g, ' ').toLowerCase();
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
