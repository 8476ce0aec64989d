/**
 * Node-only: the checks an output path passes before any work starts (and before anything is
 * created), so a merge never overwrites its own inputs, never runs for minutes to fail on a
 * path it could have refused, and never mixes two models in one folder.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OutputPathError } from '../errors';

export interface OutputPathCheck {
  /** The path as the user gave it. */
  out: string;
  /** A single file, or a folder written as a unit. */
  kind: 'file' | 'folder';
  /** Every path read by the run (models, recipe): the output may not be or hold any of them. */
  inputs: readonly string[];
  /** A folder output may replace a non-empty folder. */
  overwrite?: boolean;
}

/**
 * The real path `path` would have: the real path of its nearest existing ancestor plus the
 * rest. Symlinks in the existing part are resolved, so a link cannot disguise an input.
 */
export async function realPathToBe(path: string): Promise<string> {
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...rest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const parent = dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) throw e;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

const isInside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

async function refuseInputs(out: string, outReal: string, inputs: readonly string[]) {
  for (const input of inputs) {
    const inputReal = await realPathToBe(input);
    if (outReal === inputReal) {
      throw new OutputPathError(
        out,
        `is an input of this run (${input}); refusing to overwrite it`,
      );
    }
    if (isInside(outReal, inputReal)) {
      throw new OutputPathError(
        out,
        `is inside the input folder ${input}; refusing to write there`,
      );
    }
    if (isInside(inputReal, outReal)) {
      throw new OutputPathError(out, `holds the input ${input}; refusing to replace it`);
    }
  }
}

/** Throws OutputPathError for an output that must not be written; creates nothing. */
export async function checkOutputPath(check: OutputPathCheck): Promise<void> {
  const { out, kind } = check;
  const outReal = await realPathToBe(out);
  await refuseInputs(out, outReal, check.inputs);
  const parent = await lstat(dirname(outReal)).catch(() => undefined);
  if (parent && !parent.isDirectory()) {
    throw new OutputPathError(out, `cannot be created: ${dirname(outReal)} is not a folder`);
  }
  const existing = await lstat(out).catch(() => undefined);
  if (!existing) return;
  if (kind === 'file') {
    if (existing.isDirectory())
      throw new OutputPathError(out, 'is an existing directory; a .safetensors file is meant');
    if (!existing.isFile() && !existing.isSymbolicLink())
      throw new OutputPathError(out, 'exists and is not a regular file');
    return;
  }
  if (!existing.isDirectory()) throw new OutputPathError(out, 'exists and is not a folder');
  const entries = await readdir(out);
  if (entries.length > 0 && !check.overwrite) {
    const shown = entries.sort().slice(0, 3).join(', ');
    const more = entries.length > 3 ? `, … (${entries.length} entries)` : '';
    throw new OutputPathError(
      out,
      `already holds files (${shown}${more}); use --overwrite to replace the folder as a whole`,
    );
  }
}
