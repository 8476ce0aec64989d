/** `--task <name>=<path>` / `--finetune <name>=<folder>` pairs, checked before any work starts. */
import { CliUsageError } from '../types';

export interface NamedPath {
  name: string;
  path: string;
}

const TASK_NAME = /^[A-Za-z0-9_.-]+$/;

export function parseNamedPaths(flag: string, raw: readonly string[] | undefined): NamedPath[] {
  const out: NamedPath[] = [];
  const seen = new Set<string>();
  for (const entry of raw ?? []) {
    const cut = entry.indexOf('=');
    const name = cut > 0 ? entry.slice(0, cut) : '';
    const path = cut > 0 ? entry.slice(cut + 1) : '';
    if (!TASK_NAME.test(name) || path === '')
      throw new CliUsageError(
        `--${flag} takes <name>=<path> (name: letters, digits, _ . -), got "${entry}"`,
      );
    if (seen.has(name)) throw new CliUsageError(`--${flag} names task "${name}" twice`);
    seen.add(name);
    out.push({ name, path });
  }
  return out;
}
