/**
 * The CLI command registry: one file per command, one line here each. Adding a command is
 * adding its file and its entry below. Commands that pull in tfjs or WebGPU are registered
 * as loaders so that `inspect` (and every spawned test) does not pay for importing them.
 */
import type { CommandEntry } from '../types';
import { inspectCommand } from './inspect';

export const commands: Record<string, CommandEntry> = {
  inspect: inspectCommand,
  eval: { load: () => import('./eval').then((m) => m.evalCommand) },
  merge: { load: () => import('./merge').then((m) => m.mergeCommand) },
  adamerge: { load: () => import('./adamerge').then((m) => m.adamergeCommand) },
  heads: { load: () => import('../clip/heads').then((m) => m.headsCommand) },
  simo: { load: () => import('./simo').then((m) => m.simoCommand) },
};
