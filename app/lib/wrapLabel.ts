/**
 * A long axis label in at most `maxLines` lines of at most `maxChars` characters: words are
 * kept whole where they fit, a word longer than a line is cut, and what does not fit ends in
 * "…" (the full text goes in a tooltip).
 */
export function wrapLabel(text: string, maxChars: number, maxLines = 2): string[] {
  const width = Math.max(3, Math.floor(maxChars));
  const lines: string[] = [];
  let current = '';
  const words = text.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const joined = current ? `${current} ${word}` : word;
    if (joined.length <= width) {
      current = joined;
      continue;
    }
    if (current) lines.push(current);
    current = word;
    if (lines.length === maxLines) break;
  }
  if (lines.length < maxLines && current) lines.push(current);
  const shown = lines.slice(0, maxLines);
  const complete = shown.join(' ') === words.join(' ');
  return shown.map((line, i) => {
    const last = i === shown.length - 1;
    if (line.length > width || (last && !complete)) return `${line.slice(0, width - 1)}…`;
    return line;
  });
}

/**
 * How many characters of `text` a line of `room` px holds, for wrapLabel: from the label's own
 * measured width (`measure`, px at the drawn font) rather than a fixed guess per character, and
 * one character fewer when the label will be cut, since "…" is about two characters wide.
 */
export function charBudget(text: string, room: number, measure: (s: string) => number): number {
  const width = measure(text);
  const perChar = width / Math.max(1, text.length);
  const budget = perChar > 0 ? room / perChar : text.length;
  return width > room ? budget - 1 : budget;
}
