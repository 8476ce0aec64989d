/**
 * A short rendering of a value parsed from a file, for error messages. It looks at most two
 * levels deep and a few items wide, so it never recurses into attacker-controlled structure
 * (JSON.stringify of a 100 000-deep `shape` overflows the call stack) and never prints
 * megabytes into one error line. Browser-safe.
 */
const MAX_ITEMS = 6;
const MAX_STRING = 40;
const MAX_DEPTH = 2;

function render(v: unknown, depth: number): string {
  if (typeof v === 'string') {
    const cut = v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
    return JSON.stringify(cut);
  }
  if (typeof v === 'number') return String(v); // NaN and ±Infinity stay readable
  if (v === null || typeof v === 'boolean' || v === undefined) return String(v);
  if (Array.isArray(v)) {
    if (depth >= MAX_DEPTH) return v.length === 0 ? '[]' : '[…]';
    const items = v.slice(0, MAX_ITEMS).map((x: unknown) => render(x, depth + 1));
    if (v.length > MAX_ITEMS) items.push(`… ${v.length} items`);
    return `[${items.join(', ')}]`;
  }
  if (typeof v === 'object') {
    if (depth >= MAX_DEPTH) return '{…}';
    const keys = Object.keys(v);
    const items = keys
      .slice(0, MAX_ITEMS)
      .map(
        (k) => `${render(k, MAX_DEPTH)}: ${render((v as Record<string, unknown>)[k], depth + 1)}`,
      );
    if (keys.length > MAX_ITEMS) items.push(`… ${keys.length} keys`);
    return `{${items.join(', ')}}`;
  }
  return typeof v;
}

/** `[2, 3]`, `"F32"`, `[[…], 4]`, `{"a": 1, … 9 keys}`: bounded in depth, width and length. */
export const previewValue = (v: unknown): string => render(v, 0);

/** "an array", "null", "an object" or the value itself, for "found …" messages. */
export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return previewValue(v);
}
