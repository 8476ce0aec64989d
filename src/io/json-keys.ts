/**
 * JSON.parse silently keeps the last of two equal keys. A safetensors header with a tensor
 * listed twice is ambiguous, so we scan the raw text (already known to be valid JSON) for
 * repeated keys inside each object.
 */

export interface KeyScan {
  /** First key that appears twice in the same object, with the path of that object. */
  duplicate?: { key: string; path: string[] };
  /**
   * Keys of the outermost object in text order (Object.keys would put integer-like names such
   * as "0" first).
   */
  topLevelKeys: string[];
  /**
   * First number in a tensor's `shape` or `data_offsets` not written as a plain non-negative
   * integer (`4.0`, `4e0`, `-1`): JSON.parse reads `4.0` as 4, the reference reader (serde,
   * usize) refuses it.
   */
  nonInteger?: { tensor: string; field: string; literal: string };
}

const INTEGER_FIELDS = new Set(['shape', 'data_offsets']);
const PLAIN_INTEGER = /^(0|[1-9][0-9]*)$/;
const NUMBER_CHAR = /[0-9eE.+-]/;

export function findDuplicateKey(text: string): { key: string; path: string[] } | undefined {
  return scanKeys(text).duplicate;
}

export function scanKeys(text: string): KeyScan {
  const topLevelKeys: string[] = [];
  // One frame per open object/array: its seen keys (objects only) and the key leading to it.
  const stack: { keys: Set<string> | undefined; name: string }[] = [];
  let expectKey = false;
  let lastKey = '';
  let nonInteger: KeyScan['nonInteger'];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          const path = stack.slice(1).map((f) => f.name);
          return { duplicate: { key, path }, topLevelKeys, nonInteger };
        }
        top.keys.add(key);
        if (stack.length === 1) topLevelKeys.push(key);
        lastKey = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ keys: new Set(), name: lastKey });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ keys: undefined, name: lastKey });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1]?.keys !== undefined;
    } else if (c === '-' || (c! >= '0' && c! <= '9')) {
      let j = i + 1;
      while (j < text.length && NUMBER_CHAR.test(text[j]!)) j++;
      const literal = text.slice(i, j);
      const top = stack[stack.length - 1];
      const inField = stack.length === 3 && !top!.keys && INTEGER_FIELDS.has(top!.name);
      if (inField && !nonInteger && !PLAIN_INTEGER.test(literal))
        nonInteger = { tensor: stack[1]!.name, field: top!.name, literal };
      i = j - 1;
    }
  }
  return { topLevelKeys, nonInteger };
}
