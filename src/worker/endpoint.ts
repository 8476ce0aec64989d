/**
 * The two ends of the protocol talk through anything shaped like a MessagePort: the real
 * Worker and the worker's global scope in the browser, a MessageChannel's ports in unit tests.
 */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** MessagePorts deliver nothing until started; Workers have no start(). */
  start?(): void;
}
