/** What a CLI command sees of the outside world; tests inject their own. */
export interface CliIo {
  /** Writes one line (no trailing newline needed) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
}

export interface Command {
  /** One line for `--help`. */
  summary: string;
  /** Usage text shown by `<command> --help` and on usage errors. */
  usage: string;
  /**
   * The command stops by itself when `context.signal` aborts (and cleans up after itself);
   * for any other command a signal ends the process at once.
   */
  cancellable?: boolean;
  /** Returns the exit code. Throw CliUsageError / SafetensorsError for bad input (exit 2). */
  run(args: string[], io: CliIo, context?: CommandContext): Promise<number>;
}

/** What the process gives a running command besides its I/O. */
export interface CommandContext {
  /** Aborts on SIGINT/SIGTERM/SIGHUP, a closed output pipe or a vanished launcher. */
  signal?: AbortSignal;
}

/**
 * A registry entry: a Command, or a loader for one, so that `inspect` does not pay for
 * importing tfjs just because `eval` exists. Loaders run only for the command being run (and
 * all of them for `--help`).
 */
export type CommandEntry = Command | { load: () => Promise<Command> };

export const loadCommand = async (entry: CommandEntry): Promise<Command> =>
  'load' in entry ? entry.load() : entry;

/** Bad arguments or input the user can fix: printed as one line, exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
