/**
 * Dispatches argv to a command and turns every failure into exactly one stderr line
 * (`error: <file>: <tensor>: <problem>`) and an exit code: 2 for bad input, 1 for bugs.
 */
import { CheckpointMismatchError, OutputPathError, SafetensorsError } from '../io';
import { CliUsageError, loadCommand, type CliIo, type CommandEntry } from './types';

const USER_FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
};

function describeError(e: unknown): { line: string; code: number } {
  const oneLine = (s: string) => s.split('\n')[0]!.trim();
  if (
    e instanceof SafetensorsError ||
    e instanceof CheckpointMismatchError ||
    e instanceof OutputPathError ||
    e instanceof CliUsageError
  ) {
    return { line: oneLine(e.message), code: 2 };
  }
  const fsError = e as { code?: string; path?: string; message?: string };
  if (typeof fsError?.code === 'string') {
    const known = USER_FS_ERRORS[fsError.code];
    if (known) return { line: `${fsError.path ?? ''}: ${known}`, code: 2 };
    if (fsError.code.startsWith('ERR_PARSE_ARGS'))
      return { line: oneLine(fsError.message ?? ''), code: 2 };
  }
  return {
    line: `internal error: ${oneLine(e instanceof Error ? e.message : String(e))}`,
    code: 1,
  };
}

export async function helpText(entries: Record<string, CommandEntry>): Promise<string[]> {
  const width = Math.max(...Object.keys(entries).map((n) => n.length));
  const commands = await Promise.all(
    Object.entries(entries).map(async ([name, e]) => [name, await loadCommand(e)] as const),
  );
  return [
    'usage: npm run --silent cli -- <command> [args]   (<command> --help for details)',
    '',
    'commands:',
    ...commands.map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ];
}

/** How the process runs commands (main.ts): the cancellation signal and who honours it. */
export interface CliProcess {
  signal: AbortSignal;
  setCancellable(cancellable: boolean): void;
}

export async function runCli(
  argv: string[],
  io: CliIo,
  commands: Record<string, CommandEntry>,
  host?: CliProcess,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    for (const line of await helpText(commands)) io.out(line);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.err(`error: unknown command "${name}"; known commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    const command = await loadCommand(entry);
    if (args.includes('--help') || args.includes('-h')) {
      for (const line of command.usage.split('\n')) io.out(line);
      return 0;
    }
    host?.setCancellable(command.cancellable === true);
    return await command.run(args, io, { signal: host?.signal });
  } catch (e) {
    const { line, code } = describeError(e);
    io.err(`error: ${line}`);
    return code;
  }
}
