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
}

export function findDuplicateKey(text: string): { key: string; path: string[] } | undefined {
  return scanKeys(text).duplicate;
}

export function scanKeys(text: string): KeyScan {
  const topLevelKeys: string[] = [];
  // One frame per open object/array: its seen keys (objects only) and the key leading to it.
  const stack: { keys: Set<string> | undefined; name: string }[] = [];
  let expectKey = false;
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          return { duplicate: { key, path: stack.slice(1).map((f) => f.name) }, topLevelKeys };
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
    }
  }
  return { topLevelKeys };
}
