import { afterEach, describe, expect, it } from 'vitest';
import { StudioClient } from './client';
import type { Endpoint } from './endpoint';
import { StudioError, isCancelled } from './errors';
import { serve, Transfer, type Handlers } from './serve';
import type { CapabilityReport, CheckpointSummary } from './protocol';
import { SafetensorsError } from '../io';

const ports: MessagePort[] = [];
afterEach(() => ports.splice(0).forEach((port) => port.close()));

/** A client and a served handler set joined by a real MessageChannel (structured clone). */
function connect(handlers: Partial<Handlers>): StudioClient {
  const channel = new MessageChannel();
  ports.push(channel.port1, channel.port2);
  serve(channel.port2 as unknown as Endpoint, handlers as Handlers);
  return new StudioClient(channel.port1 as unknown as Endpoint);
}

const summary = (id: string): CheckpointSummary => ({
  id,
  name: `${id}.safetensors`,
  layout: 'single',
  files: [`${id}.safetensors`],
  tensorCount: 2,
  parameterCount: 10,
  dtypes: { F32: 10 },
  sizeBytes: 120,
});

describe('StudioClient ↔ serve', () => {
  it('resolves with the handler result after delivering its events in order', async () => {
    const client = connect({
      loadCheckpoints: async (params, { emit }) => {
        emit({ type: 'checkpointPending', id: 'a', name: 'a.safetensors' });
        emit({ type: 'checkpointLoaded', summary: summary('a') });
        return { loaded: ['a'], failed: [String(params.inputs.length)] };
      },
    });
    const seen: string[] = [];
    const result = await client.call(
      'loadCheckpoints',
      { inputs: [] },
      { onEvent: (event) => seen.push(event.type) },
    );
    expect(seen).toEqual(['checkpointPending', 'checkpointLoaded']);
    expect(result).toEqual({ loaded: ['a'], failed: ['0'] });
  });

  it('cancels: the handler sees its signal abort and the call rejects as cancelled', async () => {
    let handlerSawAbort = false;
    const client = connect({
      checkCompatibility: (_params, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            handlerSawAbort = true;
            reject(new Error('stopped'));
          });
        }),
    });
    const controller = new AbortController();
    const call = client.call(
      'checkCompatibility',
      { ids: [], baseId: 'a', taskFilter: '' },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 10);
    const error = await call.catch((e: unknown) => e);
    expect(isCancelled(error)).toBe(true);
    expect(handlerSawAbort).toBe(true);
  });

  it('keeps the file and tensor of typed core errors and hides stacks of others', async () => {
    const client = connect({
      removeCheckpoint: async (params) => {
        if (params.id === 'io') throw new SafetensorsError('b.safetensors', 'w', 'offsets overlap');
        if (params.id === 'typed') {
          throw Object.assign(new Error('header length 99999999 exceeds 25 MB'), {
            code: 'header-too-large',
            file: 'bad.safetensors',
            tensor: 'w',
          });
        }
        throw new TypeError('x is undefined');
      },
    });
    const typed = await client.call('removeCheckpoint', { id: 'typed' }).catch((e: unknown) => e);
    expect(typed).toBeInstanceOf(StudioError);
    expect(typed).toMatchObject({
      code: 'header-too-large',
      file: 'bad.safetensors',
      tensor: 'w',
      message: 'header length 99999999 exceeds 25 MB',
    });
    const io = await client.call('removeCheckpoint', { id: 'io' }).catch((e: unknown) => e);
    expect(io).toMatchObject({ code: 'safetensors-error', file: 'b.safetensors', tensor: 'w' });
    expect((io as Error).message).toContain('offsets overlap');
    const plain = (await client
      .call('removeCheckpoint', { id: 'other' })
      .catch((e: unknown) => e)) as StudioError;
    expect(plain.code).toBe('internal');
    expect(plain.message).toBe('x is undefined');
    expect(plain.message).not.toMatch(/\bat\b.*:\d+/);
  });

  it('moves transferred buffers instead of copying them', async () => {
    const buffer = new ArrayBuffer(1024);
    const client = connect({
      capabilities: async () =>
        new Transfer({ adapter: null, buffer } as unknown as CapabilityReport, [buffer]),
    });
    const report = (await client.call('capabilities', { gpu: 'off' })) as unknown as {
      buffer: ArrayBuffer;
    };
    expect(buffer.byteLength).toBe(0); // detached on the sending side
    expect(report.buffer.byteLength).toBe(1024);
  });

  it('reports an unknown method by name and routes events to subscribers', async () => {
    const client = connect({
      loadCheckpoints: async (_params, { emit }) => {
        emit({
          type: 'progress',
          progress: { status: 'progress', task: 'reading', done: 1, total: 2 },
        });
        return { loaded: [], failed: [] };
      },
    });
    const all: string[] = [];
    const unsubscribe = client.subscribe((e) => all.push(e.method));
    await client.call('loadCheckpoints', { inputs: [] });
    unsubscribe();
    await client.call('loadCheckpoints', { inputs: [] });
    expect(all).toEqual(['loadCheckpoints']);
    const unknown = await client.call('removeCheckpoint', { id: 'x' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'unknown-method' });
    expect((unknown as Error).message).toContain('removeCheckpoint');
  });
});
