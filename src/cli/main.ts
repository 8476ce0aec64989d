/** Entry point: `npm run --silent cli -- <command> …` (tsx src/cli/main.ts). */
import { commands } from './commands';
import { runCli } from './run';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

process.exitCode = await runCli(process.argv.slice(2), io, commands);
