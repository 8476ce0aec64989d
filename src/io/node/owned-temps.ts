/**
 * Node-only: the temporary outputs this process owns (`*.partial` files and staging folders).
 * Each is removed when it is published or discarded; whatever is still listed when the process
 * exits — a second Ctrl-C, an uncaught error, `process.exit` — is removed synchronously on
 * the way out, so no run leaves a half-written output behind (a SIGKILL is the one exception:
 * nothing runs then).
 */
import { rmSync } from 'node:fs';

const owned = new Set<string>();
let hooked = false;

/** Registers a temporary path to be removed at exit unless released first. */
export function ownTemp(path: string): void {
  owned.add(path);
  if (!hooked) {
    hooked = true;
    process.on('exit', removeOwnedTempsSync);
  }
}

/** The path was published (renamed into place) or removed: forget it. */
export function releaseTemp(path: string): void {
  owned.delete(path);
}

/** Removes every temporary output still owned (files or folders). Never throws. */
export function removeOwnedTempsSync(): void {
  for (const path of [...owned].reverse()) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Best effort on the way out: nothing else can be done here.
    }
    owned.delete(path);
  }
}

/** Paths currently owned (tests). */
export const ownedTemps = (): string[] => [...owned];
