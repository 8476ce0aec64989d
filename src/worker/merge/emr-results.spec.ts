/**
 * The page's EMR row: the merge handler keeps the engine's modulators, and Results (the
 * evaluate handler) scores each task with its own modulated model — the same numbers as the
 * CLI's `eval --modulators` (evaluateWithModulators) on the same merge, and not those of the
 * unified model (which `unified: true` scores, as `eval --model` does).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../core';
import { evaluateEncoder, evaluateWithModulators, readEncoder } from '../../eval';
import { memorySource, openSingleCheckpoint, openSafetensors } from '../../io';
import { paramsToBytes, type Recipe } from '../../merge';
import { syntheticZoo } from '../../zoo/testing/synthetic-zoo';
import { summarize } from '../checkpoints/open';
import { evaluate } from '../eval/evaluate';
import type { MergeOutcome } from '../protocol';
import { Transfer } from '../serve';
import { StudioSession } from '../session';
import { runMerge } from './run';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const zoo = syntheticZoo({ tasks: 3, images: 48 });
const context = () => ({ signal: new AbortController().signal, emit: () => undefined });

/** A session holding the zoo's base and fine-tunes (heads included), as Load demo leaves it. */
async function demoSession(): Promise<StudioSession> {
  const session = new StudioSession({ loadZoo: async () => zoo, tfDevice: async () => 'cpu' });
  session.gpuPreference = 'off';
  const files: [string, Params][] = [
    ['base', zoo.base],
    ...zoo.manifest.tasks.map((t): [string, Params] => [t.name, zoo.checkpoints.get(t.name)!]),
  ];
  for (const [name, params] of files) {
    const source = memorySource(await paramsToBytes(params), `${name}.safetensors`);
    const checkpoint = await openSingleCheckpoint(source, name);
    session.registry.add({
      summary: summarize(session.registry.nextId(), name, checkpoint, false),
      checkpoint,
    });
  }
  return session;
}

const recipe = (method: string): Recipe => ({
  mergeMethod: method,
  baseModel: 'base',
  models: zoo.manifest.tasks.map((t) => ({ model: t.name, parameters: {} })),
  parameters: {},
  taskSpecific: [zoo.manifest.headPrefix],
});

async function merge(session: StudioSession, method: string): Promise<MergeOutcome> {
  const target = { kind: 'memory' as const, fileName: 'merged.safetensors' };
  const result = await runMerge(session, { recipe: recipe(method), target }, context());
  return result instanceof Transfer ? result.value : result;
}

describe('the page evaluates an EMR merge with its per-task modulators', () => {
  it('equals eval --modulators per task, and differs from the unified model', async () => {
    const session = await demoSession();
    const outcome = await merge(session, 'emr');
    const { modulators, bytes } = outcome;
    expect(modulators?.fileName).toBe('merged.emr_modulators.safetensors');
    expect(modulators?.rescalers).toHaveLength(3);
    const header = await openSafetensors(memorySource(modulators!.bytes, 'm'));
    expect(header.metadata['format']).toBe('emr_modulators');

    const page = await evaluate(session, { target: 'merged', label: 'emr' }, context());
    const unified = await evaluate(
      session,
      { target: 'merged', label: 'unified', unified: true },
      context(),
    );

    const merged = await readEncoder(memorySource(bytes!, 'merged'), zoo.manifest.model.config);
    const cli = await evaluateWithModulators(
      'cli',
      merged,
      memorySource(modulators!.bytes, 'emr_modulators.safetensors'),
      zoo,
    );
    const names = zoo.manifest.tasks.map((t) => t.name);
    expect(Object.keys(page.accuracy).sort()).toEqual(names);
    for (const name of names) expect(page.accuracy[name], name).toBe(cli.perTask[name]);
    expect(page.average).toBeCloseTo(cli.average, 12);

    const plain = await evaluateEncoder('plain', merged, zoo);
    for (const name of names) expect(unified.accuracy[name], name).toBe(plain.perTask[name]);
    // The modulators change the answers: the test would fail if they were ignored.
    expect(names.some((n) => page.accuracy[n] !== unified.accuracy[n])).toBe(true);
  });

  it('keeps no modulators for other methods, and a later merge replaces them', async () => {
    const session = await demoSession();
    await merge(session, 'emr');
    expect(session.lastModulators).not.toBeNull();
    const outcome = await merge(session, 'task_arithmetic');
    expect(outcome.modulators).toBeUndefined();
    expect(session.lastModulators).toBeNull();
    const row = await evaluate(session, { target: 'merged', label: 'ta' }, context());
    const merged = await readEncoder(
      memorySource(outcome.bytes!, 'merged'),
      zoo.manifest.model.config,
    );
    expect(row.accuracy).toEqual((await evaluateEncoder('ta', merged, zoo)).perTask);
  });
});
