/**
 * For `npm run lint`: loads the app's knowledge exactly as `preview` and the tests do, so a
 * regex outside the PCRE2 subset, an unsupported eval function, a REPORT or LOOKUP pointing
 * nowhere, or an eventtype search we cannot parse fails the lint with the stanza named.
 */
import { KnowledgeBase } from './index';

export interface KnowledgeProblem {
  file: string;
  line: number;
  message: string;
}

export function lintKnowledge(root: string): KnowledgeProblem[] {
  let kb: KnowledgeBase;
  try {
    kb = KnowledgeBase.loadApp(root);
  } catch (e) {
    return [{ file: 'default/props.conf', line: 0, message: `knowledge could not be loaded: ${(e as Error).message}` }];
  }
  return kb.problems.map((p) => {
    const file = p.startsWith('transforms.conf') ? 'default/transforms.conf' : p.startsWith('eventtypes.conf') ? 'default/eventtypes.conf' : 'default/props.conf';
    return { file, line: 0, message: p };
  });
}
