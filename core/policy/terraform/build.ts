/**
 * Facts of a plan's CodeBuild projects: privileged mode and plaintext environment variables.
 */
import { str } from '../adapter-readings';
import { BuildProjectFacts } from '../facts';
import { base } from './attributes';
import { Instance } from './plan-index';
import { arr, at, KNOWN_AFTER_APPLY, Path } from './plan';

export function buildProjectFacts(inst: Instance, region: string | undefined): BuildProjectFacts {
  const env: Path = ['environment', 0];
  const vars = inst.unknown([...env, 'environment_variable'])
    ? undefined
    : arr(inst.known([...env, 'environment_variable'])).flatMap((v) =>
        (str(at(v, ['type'])) ?? 'PLAINTEXT') === 'PLAINTEXT'
          ? [{ name: str(at(v, ['name'])) ?? '', value: str(at(v, ['value'])) ?? KNOWN_AFTER_APPLY }]
          : [],
      );
  return {
    ...base(inst, 'name', region),
    kind: 'BuildProject',
    privilegedMode: inst.unknown([...env, 'privileged_mode'])
      ? undefined
      : inst.known([...env, 'privileged_mode']) === true,
    plaintextVariables: vars,
  };
}
