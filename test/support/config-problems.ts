/** The problems parseConfig reports for a document (fails the test if it reports none). */
import { ConfigError, ConfigProblem, parseConfig } from '../../lib/config/loader';

export function problemsOf(doc: unknown): ConfigProblem[] {
  try {
    parseConfig(doc, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}
