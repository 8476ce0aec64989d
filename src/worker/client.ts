/**
 * The UI's only way into the core: a promise per request, events per request or for all
 * requests, and cancellation through an AbortSignal. Framework-free; the app wraps one
 * instance around the studio worker.
 */
import type { Endpoint } from './endpoint';
import { StudioError } from './errors';
import {
  CANCELLED,
  type EventOf,
  type FromWorker,
  type MethodName,
  type ParamsOf,
  type ResultOf,
  type ToWorker,
} from './protocol';

export interface CallOptions<M extends MethodName> {
  /** Events of this request only, in order, before the promise settles. */
  onEvent?: (event: EventOf<M>) => void;
  /** Aborting sends `cancel`; the promise then rejects with a `cancelled` StudioError. */
  signal?: AbortSignal;
  /** ArrayBuffers inside params to move to the worker instead of copying. */
  transfer?: Transferable[];
}

/** One event from any request, for store subscriptions that want every stream. */
export interface AnyEvent {
  id: number;
  method: MethodName;
  event: unknown;
}

interface Pending {
  method: MethodName;
  resolve(value: unknown): void;
  reject(error: StudioError): void;
  onEvent?: (event: never) => void;
  detach(): void;
}

export class StudioClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: AnyEvent) => void>();

  constructor(private readonly endpoint: Endpoint) {
    endpoint.addEventListener('message', (event) => this.receive(event.data as FromWorker));
    endpoint.start?.();
  }

  call<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options: CallOptions<M> = {},
  ): Promise<ResultOf<M>> {
    const id = this.nextId++;
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(new StudioError({ code: CANCELLED, message: 'Cancelled.' }));
    }
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const onAbort = () => this.post({ type: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        onEvent: options.onEvent as ((event: never) => void) | undefined,
        detach: () => signal?.removeEventListener('abort', onAbort),
      });
      this.post({ type: 'request', id, method, params } as ToWorker, options.transfer);
    });
  }

  /** Every event of every request; returns the unsubscribe function. */
  subscribe(listener: (event: AnyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rejects everything still pending, e.g. when the worker crashed or is being replaced. */
  failAll(error: StudioError): void {
    for (const [id, entry] of this.pending) {
      entry.detach();
      entry.reject(error);
      this.pending.delete(id);
    }
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    this.endpoint.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if (message.type === 'event') {
      entry.onEvent?.(message.event as never);
      for (const listener of this.listeners) {
        listener({ id: message.id, method: entry.method, event: message.event });
      }
      return;
    }
    this.pending.delete(message.id);
    entry.detach();
    if (message.type === 'result') entry.resolve(message.value);
    else entry.reject(new StudioError(message.error));
  }
}
