/**
 * The CLI command registry: one file per command, one line here each. Adding a command is
 * adding its file and its entry below.
 */
import type { Command } from '../types';
import { inspectCommand } from './inspect';
import { mergeCommand } from './merge';

export const commands: Record<string, Command> = {
  inspect: inspectCommand,
  merge: mergeCommand,
};
