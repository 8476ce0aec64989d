/**
 * The worker's dispatcher: routes each request to its handler, forwards the handler's events,
 * and aborts a handler's signal when the UI cancels. Framework-free and port-agnostic so it
 * runs unchanged in the worker and in unit tests.
 */
import type { Endpoint } from './endpoint';
import { toWireError } from './errors';
import type { EventOf, FromWorker, MethodName, ParamsOf, ResultOf, ToWorker } from './protocol';

/** A result that moves (not copies) its ArrayBuffers to the UI thread. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly transfer: Transferable[],
  ) {}
}

export interface HandlerContext<M extends MethodName> {
  /** Aborted when the UI cancels this request. Long loops check it between steps. */
  signal: AbortSignal;
  emit(event: EventOf<M>, transfer?: Transferable[]): void;
}

export type Handlers = {
  [M in MethodName]: (
    params: ParamsOf<M>,
    context: HandlerContext<M>,
  ) => Promise<ResultOf<M> | Transfer<ResultOf<M>>>;
};

type AnyHandler = (
  params: unknown,
  context: HandlerContext<MethodName>,
) => Promise<unknown | Transfer<unknown>>;

export function serve(endpoint: Endpoint, handlers: Handlers): () => void {
  const running = new Map<number, AbortController>();
  const send = (message: FromWorker, transfer: Transferable[] = []) =>
    endpoint.postMessage(message, transfer);

  async function run(id: number, method: MethodName, params: unknown): Promise<void> {
    const controller = new AbortController();
    running.set(id, controller);
    const handler = handlers[method] as AnyHandler | undefined;
    try {
      if (!handler)
        throw Object.assign(new Error(`unknown request "${method}"`), { code: 'unknown-method' });
      const context: HandlerContext<MethodName> = {
        signal: controller.signal,
        emit: (event, transfer) => {
          if (!controller.signal.aborted) send({ type: 'event', id, event }, transfer);
        },
      };
      const output = await handler(params, context);
      if (controller.signal.aborted) throw controller.signal.reason;
      if (output instanceof Transfer)
        send({ type: 'result', id, value: output.value }, output.transfer);
      else send({ type: 'result', id, value: output });
    } catch (error) {
      send({ type: 'error', id, error: toWireError(error, controller.signal.aborted) });
    } finally {
      running.delete(id);
    }
  }

  const onMessage = (event: MessageEvent) => {
    const message = event.data as ToWorker;
    if (message.type === 'cancel') running.get(message.id)?.abort();
    else if (message.type === 'request') void run(message.id, message.method, message.params);
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return () => endpoint.removeEventListener('message', onMessage);
}
