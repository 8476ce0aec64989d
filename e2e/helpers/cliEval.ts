import { expect } from '@playwright/test';
import { commands } from '../../src/cli/commands';
import { runCli } from '../../src/cli/run';

/** Task → accuracy in [0, 1]. */
export type Accuracies = Record<string, number>;

/**
 * The CLI's `eval ... --json --device cpu`, run in the test's process: what a user's command
 * prints, as the expected numbers of a page's accuracy table.
 */
export async function cliEval(...args: string[]): Promise<Accuracies> {
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: () => undefined };
  const code = await runCli(['eval', ...args, '--json', '--device', 'cpu'], io, commands);
  expect(code, `eval ${args.join(' ')}`).toBe(0);
  const tasks = (JSON.parse(out.join('')) as { tasks: Record<string, { accuracy: number }> }).tasks;
  return Object.fromEntries(Object.entries(tasks).map(([t, r]) => [t, r.accuracy]));
}
