/**
 * The SIMO panel's worker handlers on a tiny pool given as a dropped folder (File objects):
 * load (the registry's split), the run (table rows, loss and progress events, pictures of the
 * models it made, export that reads back with its adapters), and the bad inputs and cancel the
 * issue names: a pool without a decoder, a decoder of the wrong shape, 0 validation images, a
 * bad split — each one line naming file (and tensor) — and a cancel keeping the last results.
 */
import { describe, expect, it } from 'vitest';
import type { Params } from '../../core';
import { paramsFromBytes, paramsToBytes } from '../../merge';
import { tinyDenseConfig, tinySimoManifest, tinySimoPoolParams } from '../../models/testing';
import { initTf } from '../../tf';
import type { CheckpointInput } from '../protocol';
import { Transfer, type HandlerContext } from '../serve';
import { StudioSession } from '../session';
import { simoHandlers } from './handlers';
import type { SimoRunEvent, SimoRunOptions } from './protocol';

const config = tinyDenseConfig(8);

async function poolFolder(
  edit?: (files: Record<string, Params>) => void,
): Promise<CheckpointInput> {
  const files: Record<string, Params> = tinySimoPoolParams(config);
  edit?.(files);
  const manifest = tinySimoManifest(config);
  const list = [
    { path: 'manifest.json', file: new File([JSON.stringify(manifest)], 'manifest.json') },
  ];
  for (const [name, p] of Object.entries(files)) {
    const bytes = await paramsToBytes(p);
    list.push({
      path: `${name}.safetensors`,
      file: new File([bytes as Uint8Array<ArrayBuffer>], `${name}.safetensors`),
    });
  }
  return { kind: 'folderFiles', name: 'pool', files: list };
}

const unwrap = <T>(x: T | Transfer<T>): T => (x instanceof Transfer ? x.value : x);

function newSession() {
  const session = new StudioSession({
    loadZoo: () => Promise.reject(new Error('no zoo here')),
    tfDevice: () => initTf('cpu'),
  });
  return { session, h: simoHandlers(session) };
}

function context<E>(signal = new AbortController().signal) {
  const events: E[] = [];
  return {
    events,
    ctx: { signal, emit: (e: E) => events.push(e) } as unknown as HandlerContext<never>,
  };
}

const split = { shared: ['encoder.'], taskSpecific: ['decoders.', 'adapters.'] };
const options: SimoRunOptions = {
  method: 'task_arithmetic',
  lambda: 0.3,
  fix: 'both',
  valFraction: 0.1,
  steps: 4,
  rank: 2,
  split,
};

describe('SIMO worker handlers', () => {
  it('loads a folder pool with the registry split; runs, pictures and exports', async () => {
    const { h } = newSession();
    const summary = unwrap(
      await h.simoLoad({ source: { kind: 'files', input: await poolFolder() } }, context().ctx),
    );
    expect(summary.tasks.map((t) => t.name)).toEqual(['seg', 'depth', 'normals']);
    expect(summary.split).toEqual(split);
    expect(summary.name).toBe('pool/manifest.json');

    const { events, ctx } = context<SimoRunEvent>();
    const result = unwrap(await h.simoRun({ options }, ctx));
    expect(result.rows.map((r) => r.name)).toEqual([
      'single-task',
      'joint multi-task',
      'task arithmetic (λ=0.3)',
      '+ head re-align',
      '+ representation re-align',
    ]);
    expect(result.rows[0]!.delta).toBe(0);
    expect(result.rows.every((r) => Number.isFinite(r.delta))).toBe(true);
    expect(result.valImages).toBe(4);
    const losses = events.filter((e) => e.type === 'loss');
    expect(losses).toHaveLength(3 * 4 + 4);
    const last = events.filter((e) => e.type === 'progress').at(-1)!;
    expect(
      last.type === 'progress' && [last.progress.status === 'progress' && last.progress.done],
    ).toEqual([16]);

    const pics = await h.simoPictures({ images: [0, 2] }, context().ctx);
    const value = unwrap(pics);
    expect(value.models.map((m) => m.name)).toEqual([
      'single-task',
      'task arithmetic (λ=0.3)',
      '+ head re-align',
      '+ representation re-align',
    ]);
    expect(value.rgb.length).toBe(2 * 64 * 3);
    expect(value.models[1]!.tasks.seg!.length).toBe(2 * 64);
    expect(value.models[3]!.tasks.normals!.length).toBe(2 * 64 * 3);
    // The re-aligned maps differ from the plain merge's (the fix changed the decoders).
    expect(Array.from(value.models[2]!.tasks.depth!)).not.toEqual(
      Array.from(value.models[1]!.tasks.depth!),
    );

    const out = await h.simoExport({}, context().ctx);
    const exported = unwrap(out);
    expect(exported.row).toBe('+ representation re-align');
    const back = await paramsFromBytes(exported.bytes, exported.fileName);
    expect(back.get('adapters.1.B')!.shape).toEqual([2, 8]);
    expect(back.has('decoders.seg.fc1.weight') && back.has('encoder.patch_embed.weight')).toBe(
      true,
    );
    expect(exported.recipeYaml).toContain('base_model: base.safetensors');
    expect(exported.recipeYaml).toContain('representation re-align (4 steps, rank 2');
  }, 60_000);

  it('bad pools and options are one clear line; a cancel keeps the last run', async () => {
    const { session, h } = newSession();
    const load = async (edit: (f: Record<string, Params>) => void) =>
      h.simoLoad({ source: { kind: 'files', input: await poolFolder(edit) } }, context().ctx);
    await expect(
      load((f) => {
        for (const k of [...f.depth!.keys()]) if (k.startsWith('decoders.')) f.depth!.delete(k);
      }),
    ).rejects.toThrow(/^depth\.safetensors: no decoder for task "depth"/);
    await expect(
      load((f) =>
        f.seg!.set('decoders.seg.fc2.weight', { shape: [8, 16], data: new Float32Array(128) }),
      ),
    ).rejects.toThrow(
      'seg.safetensors: tensor decoders.seg.fc2.weight has shape [8,16], the config expects [8,80]',
    );
    expect(session.simo.pool).toBeNull();

    await load(() => {});
    await expect(
      h.simoRun({ options: { ...options, valFraction: 0 } }, context().ctx),
    ).rejects.toThrow(/the validation set has 0 images/);
    await expect(
      h.simoRun(
        {
          options: {
            ...options,
            split: { shared: ['encoder.blocks.'], taskSpecific: ['decoders.'] },
          },
        },
        context().ctx,
      ),
    ).rejects.toThrow(
      /^base\.safetensors: tensor encoder\.\S+ is neither shared \(encoder\.blocks\.\) nor task-specific/,
    );

    const first = unwrap(await h.simoRun({ options: { ...options, fix: 'heads' } }, context().ctx));
    const kept = session.simo.last;
    expect(kept?.result).toBe(first);
    const controller = new AbortController();
    const { ctx } = context<SimoRunEvent>(controller.signal);
    const emit = ctx.emit;
    let seen = 0;
    ctx.emit = (e: never) => {
      if ((e as SimoRunEvent).type === 'loss' && ++seen === 2) controller.abort();
      emit(e);
    };
    await expect(h.simoRun({ options: { ...options, steps: 50 } }, ctx)).rejects.toThrow(
      'Cancelled.',
    );
    expect(session.simo.last).toBe(kept);
    expect(session.simo.pause).toBeNull();
  }, 60_000);

  it('pause holds the run between steps until resumed', async () => {
    const { session, h } = newSession();
    await h.simoLoad({ source: { kind: 'files', input: await poolFolder() } }, context().ctx);
    const { events, ctx } = context<SimoRunEvent>();
    const emit = ctx.emit;
    ctx.emit = (e: never) => {
      emit(e);
      if (
        (e as SimoRunEvent).type === 'loss' &&
        events.filter((x) => x.type === 'loss').length === 1
      )
        void h.simoPause({ paused: true }, context().ctx);
    };
    const run = h.simoRun({ options: { ...options, fix: 'representation' } }, ctx);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e.type === 'loss')).toHaveLength(1);
    expect(session.simo.pause?.paused).toBe(true);
    await h.simoPause({ paused: false }, context().ctx);
    await run;
    expect(events.filter((e) => e.type === 'loss')).toHaveLength(4);
  }, 60_000);
});
