import { SafetensorsError } from './errors';
import type { ByteSource } from './types';

/** JSON side files (index, config) are small; refuse absurd ones instead of loading them. */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

export async function readJsonFile(source: ByteSource): Promise<unknown> {
  if (source.size > MAX_JSON_FILE_BYTES) {
    throw new SafetensorsError(
      source.name,
      undefined,
      `${source.size} bytes is too large for a JSON file`,
    );
  }
  const text = new TextDecoder().decode(await source.read(0, source.size));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(source.name, undefined, `not valid JSON (${(e as Error).message})`);
  }
}

/** Last path component, for matching files named in an index against sources. */
export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
