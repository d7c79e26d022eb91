/** CycloneDX spec version we publish (Amazon Inspector `ScanSbom` reads 1.5) and its schema check. */
import { JsonStrictValidator, MissingOptionalDependencyError } from '@cyclonedx/cyclonedx-library/Validation';
import { Version } from '@cyclonedx/cyclonedx-library/Spec';

export const CYCLONEDX_SPEC = Version.v1dot5;

/**
 * Validates a serialized SBOM against the CycloneDX JSON schema of `CYCLONEDX_SPEC` with the library's own strict
 * validator (ajv). Throws with the schema errors, or with what to install when the validator's peers are missing:
 * never a silent pass.
 */
export async function assertValidSbom(json: string, what: string): Promise<void> {
  let errors: unknown;
  try {
    errors = await new JsonStrictValidator(CYCLONEDX_SPEC).validate(json);
  } catch (e) {
    if (e instanceof MissingOptionalDependencyError) {
      throw new Error(
        `${what}: cannot validate against the CycloneDX ${CYCLONEDX_SPEC} schema (${e.message}); install the validator's peers: npm install -D ajv ajv-formats ajv-formats-draft2019`,
      );
    }
    throw e;
  }
  if (errors !== null) {
    throw new Error(`${what} is not valid CycloneDX ${CYCLONEDX_SPEC}: ${JSON.stringify(errors, null, 2)}`);
  }
}
