/**
 * Node only: a complete tiny CLIP pool on disk for tests — the project's own BPE tokenizer
 * learned from the tasks' prompts, a random CLIPModel base sized to it, one CLIPVisionModel
 * fine-tune and one ImageFolder test set per task.
 */
import {
  buildClipTokenizerJson,
  loadClipTokenizer,
  templatesFor,
  zeroShotPrompts,
} from '../../data';
import { generateClipPool, TINY_CLIP, type ClipPoolShape } from './clip-pool';
import { writeClipPool, type TestSetSpec, type WrittenPool } from './clip-write-pool';

export interface TinyTask {
  name: string;
  classNames: string[];
  perClass: number;
}

export async function writeTinyClipPool(
  dir: string,
  tasks: readonly TinyTask[],
  options: { seed?: number; scale?: number; shape?: ClipPoolShape } = {},
): Promise<WrittenPool & { tokenizerJson: string }> {
  const seed = options.seed ?? 1;
  const corpus = tasks.flatMap((t) => zeroShotPrompts(t.classNames, templatesFor(t.name)));
  const tokenizerJson = buildClipTokenizerJson(corpus, 600);
  const tokenizer = loadClipTokenizer(tokenizerJson);
  const base = options.shape ?? TINY_CLIP;
  const shape: ClipPoolShape = { ...base, text: { ...base.text, vocab_size: tokenizer.vocabSize } };
  const pool = generateClipPool(
    shape,
    tasks.map((t) => t.name),
    { seed, scale: options.scale, eosTokenId: tokenizer.eosId, bosTokenId: tokenizer.bosId },
  );
  const sets = new Map<string, TestSetSpec>(
    tasks.map((t) => [
      t.name,
      { classNames: t.classNames, perClass: t.perClass, width: 41, height: 37 },
    ]),
  );
  const written = await writeClipPool(dir, shape, pool, tokenizerJson, sets, seed);
  return { ...written, tokenizerJson };
}
