/**
 * Facts of a template's CodeBuild projects: privileged mode and plaintext environment variables.
 */
import { arr, obj, Obj } from '../adapter-readings';
import { FromTemplateOptions } from './template';
import { base, flag, renderValue } from './values';
import { BuildProjectFacts } from '../facts';

export function buildProjectFacts(id: string, props: Obj, opts: FromTemplateOptions): BuildProjectFacts {
  const envProp = props.Environment;
  const env = obj(envProp);
  const varsProp = env?.EnvironmentVariables;
  const list = varsProp === undefined ? [] : arr(varsProp);
  const entries = list?.map(obj);
  return {
    ...base(id, props, 'Name', opts),
    kind: 'BuildProject',
    privilegedMode: env === undefined ? undefined : flag(env.PrivilegedMode, false),
    plaintextVariables:
      env === undefined || entries === undefined || entries.includes(undefined)
        ? undefined
        : entries.flatMap((e) => {
            // A type behind an intrinsic may be PLAINTEXT: judged as if it were.
            const type = e?.Type;
            if (type !== undefined && typeof type === 'string' && type !== 'PLAINTEXT') return [];
            return [{ name: renderValue(e?.Name), value: renderValue(e?.Value) }];
          }),
  };
}
