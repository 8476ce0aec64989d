/**
 * Node-only: how the CLI process ends. The process that does the work owns its cleanup; it
 * relies on no launcher (`npm run` forwards only SIGINT/SIGTERM, to its shell; tsx relays only
 * SIGINT/SIGTERM and SIGKILLs a child that does not answer within ≈ 60 ms; neither relays
 * SIGHUP). So this process:
 * - handles SIGINT, SIGTERM and SIGHUP itself: the first cancels a cancellable command (the
 *   merge stops, removes its partial output and exits 128 + signal); a second one, or any
 *   signal during a command that cannot be cancelled, removes every owned temporary output
 *   synchronously and exits at once;
 * - watches its launchers (npm, its shell, tsx: the ancestors started to run it) and cancels
 *   when one of them is gone, so a signal that reached only `npm` never leaves an orphan that
 *   later publishes a complete-looking output;
 * - treats a closed stdout/stderr (EPIPE, `| head -1`) as a cancellation: no stack trace, no
 *   partial output, exit 141.
 * Whatever is still owned when the process exits is removed by the exit hook (owned-temps.ts).
 */
import { readFileSync } from 'node:fs';
import { ownedTemps, removeOwnedTempsSync } from '../io/node';
import { escapeTerminalText } from '../io';
import { CancelReason, SIGNAL_EXIT_CODES } from './cancel';
import type { CliIo } from './types';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const LAUNCHER_POLL_MS = 200;

export interface ProcessLifecycle {
  io: CliIo;
  signal: AbortSignal;
  /** The running command stops by itself on `signal`; otherwise a signal ends the process. */
  setCancellable(cancellable: boolean): void;
}

/** Parent pid and command line of a process, from /proc (Linux); undefined elsewhere. */
function processInfo(pid: number): { ppid: number; argv: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return Number.isInteger(ppid) ? { ppid, argv } : undefined;
  } catch {
    return undefined;
  }
}

/** npm/npx, tsx, or a shell running one of them (`sh -c "tsx src/cli/main.ts …"`). */
const LAUNCHER = /(^|[/\s])(npm|npx|tsx|npm-cli\.js|npx-cli\.js|cli\.mjs)(\s|$)/;
const isLauncher = (argv: string[]) => argv.some((a) => LAUNCHER.test(a));

/**
 * The launchers above this process: the parent, and further ancestors while they are npm,
 * npx, tsx or a shell running those. The user's own shell or terminal is not one of them.
 */
export function launcherChain(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const info = processInfo(pid);
    if (!info || (depth > 0 && !isLauncher(info.argv))) break;
    chain.push(pid);
    pid = info.ppid;
  }
  return chain;
}

const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGTERM: 15,
};

/** Signals this process inherited as ignored (Linux: the SigIgn mask of /proc/self/status). */
function ignoredSignals(): Set<string> {
  try {
    const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    const bits = BigInt(`0x${mask ?? '0'}`);
    return new Set(SIGNALS.filter((s) => (bits >> BigInt(SIGNAL_NUMBERS[s] - 1)) & 1n));
  } catch {
    return new Set();
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function processLifecycle(): ProcessLifecycle {
  const controller = new AbortController();
  let cancellable = false;
  const closed = { stdout: false, stderr: false };

  const writeLine = (stream: 'stdout' | 'stderr', line: string, keepNewlines: boolean) => {
    if (closed[stream]) return;
    process[stream].write(`${escapeTerminalText(line, { keepNewlines })}\n`);
  };
  const io: CliIo = {
    out: (line) => writeLine('stdout', line, true),
    err: (line) => writeLine('stderr', line, false),
  };

  const endNow = (reason: CancelReason) => {
    const removed = ownedTemps().length > 0;
    removeOwnedTempsSync();
    // A closed pipe ends quietly, as a process killed by SIGPIPE would.
    if (reason.exitCode !== SIGNAL_EXIT_CODES.SIGPIPE)
      io.err(`stopped at once (${reason.why})${removed ? ': partial output removed' : ''}`);
    process.exit(reason.exitCode);
  };
  const cancel = (reason: CancelReason) => {
    if (!cancellable || controller.signal.aborted) endNow(reason);
    else controller.abort(reason);
  };

  const ignored = ignoredSignals();
  for (const name of SIGNALS) {
    // A signal the launcher asked to ignore (`nohup` → SIGHUP) stays ignored.
    if (ignored.has(name)) continue;
    process.on(name, () => cancel(new CancelReason(name, SIGNAL_EXIT_CODES[name])));
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].on('error', (e: NodeJS.ErrnoException) => {
      closed[stream] = true;
      const why = e.code === 'EPIPE' ? `${stream} closed` : `${stream}: ${e.code ?? e.message}`;
      const reason = new CancelReason(why, SIGNAL_EXIT_CODES.SIGPIPE);
      if (!cancellable) endNow(reason);
      else if (!controller.signal.aborted) controller.abort(reason);
    });
  }

  const startParent = process.ppid;
  const launchers = launcherChain();
  const watch = setInterval(() => {
    const gone = process.ppid !== startParent || launchers.some((pid) => !alive(pid));
    if (!gone) return;
    clearInterval(watch);
    // Already cancelling (a group signal also ends the launchers): not a reason to hurry.
    if (!controller.signal.aborted)
      cancel(new CancelReason('the launching process exited', SIGNAL_EXIT_CODES.SIGHUP));
  }, LAUNCHER_POLL_MS);
  watch.unref();

  return {
    io,
    signal: controller.signal,
    setCancellable(c) {
      cancellable = c;
    },
  };
}
