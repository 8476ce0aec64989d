/**
 * Entry point: `npm run --silent cli -- <command> …` (tsx src/cli/main.ts). This process owns
 * its ending: signals, closed pipes and a vanished launcher (see process-lifecycle.ts).
 */
import { commands } from './commands';
import { processLifecycle } from './process-lifecycle';
import { runCli } from './run';

const lifecycle = processLifecycle();
process.exitCode = await runCli(process.argv.slice(2), lifecycle.io, commands, lifecycle);
