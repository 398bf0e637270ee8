/**
 * A stanza's parameters (strings, as in inputs.conf) as the standalone collector's config wants
 * them: numbers as JSON numbers, and the secrets taken out, since collector.json never holds one
 * (src/core/standalone/config.ts). The caller passes the secrets in the environment or in files.
 */
import type { InputDescription } from '../core/description';
import { findDescription, type SourceModule } from '../core/source-module';
import type { ParamValue } from '../core/standalone/config';

export function standaloneParams(desc: Pick<InputDescription, 'args'>, stanza: Record<string, string>): { params: Record<string, ParamValue>; secrets: Record<string, string> } {
  const params: Record<string, ParamValue> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(stanza)) {
    const arg = desc.args.find((a) => a.name === k);
    if (arg?.secret) secrets[k] = v;
    else params[k] = arg?.type === 'number' ? Number(v) : v;
  }
  return { params, secrets };
}

/** The description of `scheme` among the modules' inputs; an error naming it when none has it. */
export function descriptionOf(modules: readonly SourceModule[], scheme: string): InputDescription {
  const d = findDescription(modules, scheme);
  if (!d) throw new Error(`no input has the scheme ${scheme}`);
  return d;
}
