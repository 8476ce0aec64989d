/**
 * Dispatches argv to a command and turns every failure into exactly one stderr line
 * (`error: <file>: <tensor>: <problem>`) and an exit code: 2 for bad input, 1 for bugs.
 */
import { CheckpointMismatchError, OutputPathError, SafetensorsError } from '../io';
import { escapeTerminalText } from '../io';
import { CliUsageError, loadCommand, type CliIo, type CommandEntry } from './types';

/** Errors of the environment (files, disks, permissions) a user can fix: exit 2, one line. */
const USER_FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links (or a link where none may be)',
  ENAMETOOLONG: 'file name too long',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder not empty',
  EXDEV: 'cannot move across file systems',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
  EBUSY: 'resource busy',
  ETXTBSY: 'file busy',
};

/** One line: file-derived text with CR/LF or escapes is escaped, never cut or passed raw. */
const oneLine = (s: string) => escapeTerminalText(s.trim());

function userFsError(e: unknown): string | undefined {
  const fsError = e as { code?: unknown; path?: unknown; dest?: unknown; message?: unknown };
  if (typeof fsError?.code !== 'string') return undefined;
  if (fsError.code.startsWith('ERR_PARSE_ARGS')) return oneLine(String(fsError.message ?? ''));
  if (!Object.hasOwn(USER_FS_ERRORS, fsError.code)) return undefined;
  const paths = [fsError.path, fsError.dest].filter((p) => typeof p === 'string');
  const where = paths.length > 0 ? `${paths.join(' → ')}: ` : '';
  return oneLine(`${where}${USER_FS_ERRORS[fsError.code]!}`);
}

function describeError(e: unknown): { line: string; code: number } {
  if (
    e instanceof SafetensorsError ||
    e instanceof CheckpointMismatchError ||
    e instanceof OutputPathError ||
    e instanceof CliUsageError
  ) {
    return { line: oneLine(e.message), code: 2 };
  }
  const fs = userFsError(e);
  if (fs !== undefined) return { line: fs, code: 2 };
  return {
    // A bug's message: its first line (what follows is often a trace), escaped.
    line: `internal error: ${oneLine((e instanceof Error ? e.message : String(e)).split('\n')[0]!)}`,
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
