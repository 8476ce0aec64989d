/**
 * Text read from files (tensor names, metadata, keys) may hold terminal control characters:
 * ESC sequences that clear the screen or recolour it, CR that overwrites a line, LF that cuts
 * one error line into two and spoofs the second. Everything such text reaches — error
 * messages, CLI output — shows those characters as visible escapes instead. Browser-safe.
 */

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), line/paragraph separators and the
// bidirectional overrides that reorder what a terminal shows. Built from a string so the
// source holds no control characters.
const OTHER = '\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL = new RegExp(`[\\u0000-\\u001f${OTHER}]`, 'g');
const CONTROL_BUT_NEWLINE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${OTHER}]`, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const visible = (c: string): string => {
  if (Object.hasOwn(NAMED, c)) return NAMED[c]!;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
};

/** `text` with every control character shown as an escape (`\x1b`, `\r`, `\n`). Idempotent. */
export function escapeTerminalText(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, visible);
}
