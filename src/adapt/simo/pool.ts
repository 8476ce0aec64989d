/**
 * Reading a SIMO pool (manifest.json + safetensors, `npm run simo:build`) from anywhere: the
 * CLI reads files, the studio fetches the served demo or reads the user's folder. The caller
 * gives the bytes of a file by its manifest name; messages name files as the manifest lists them.
 */
import type { Params } from '../../core';
import { paramsFromBytes } from '../../merge';
import { parseSimoManifest } from '../../models';
import type { LoadedSimoPool } from './table';

export class SimoPoolReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimoPoolReadError';
  }
}

/** The manifest's JSON checked (`name`: how errors call the manifest). */
export function parseSimoManifestText(text: string, name: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SimoPoolReadError(`${name}: not JSON`);
  }
  return parseSimoManifest(json, name);
}

/** Every file of the pool, read through `bytesOf(fileName, role)`. */
export async function readSimoPool(
  manifestText: string,
  manifestName: string,
  bytesOf: (file: string, role: string) => Promise<Uint8Array>,
): Promise<LoadedSimoPool> {
  const manifest = parseSimoManifestText(manifestText, manifestName);
  const read = async (file: string, role: string): Promise<Params> =>
    paramsFromBytes(await bytesOf(file, role), file);
  const singles = new Map<string, Params>();
  for (const t of manifest.config.tasks)
    singles.set(t.name, await read(manifest.singles[t.name]!, `the fine-tune of ${t.name}`));
  return {
    manifest,
    base: await read(manifest.base, 'the base'),
    singles,
    joint: await read(manifest.joint, 'the joint baseline'),
  };
}
