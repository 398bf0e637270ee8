/** Writing pcre2test input: a subject line (escapes, edge blanks) and a pattern line with modifiers. */
export function subjectLine(s: string): string {
  let t = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  t = t.replace(/^[ \t]+/, (w) => w.replace(/ /g, '\\x20').replace(/\t/g, '\\t'));
  t = t.replace(/[ \t]+$/, (w) => w.replace(/ /g, '\\x20').replace(/\t/g, '\\t'));
  return t;
}

export function patternLine(src: string, flags: string, global: boolean): string {
  // Escape unescaped `/` (the pattern delimiter).
  let p = '';
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\') {
      p += src.slice(i, i + 2);
      i++;
    } else p += src[i] === '/' ? '\\/' : src[i];
  }
  // Single-letter modifiers must come first.
  const mods = [...(global ? ['g'] : []), 'utf', ...(flags.includes('m') ? ['multiline'] : []), ...(flags.includes('s') ? ['dotall'] : [])];
  return `/${p}/${mods.join(',')}`;
}
