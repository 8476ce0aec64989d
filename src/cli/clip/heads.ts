/**
 * `heads --clip <CLIPModel folder> --task <name>=<data> ... --out heads.safetensors`: zero-shot
 * heads from each task's class names (class folders or the Parquet file's label names) through
 * the CLIP text tower, saved for `eval --heads` and the studio. `--classes <name>=a,b,c`
 * names classes directly instead of data.
 */
import { parseArgs } from 'node:util';
import { templatesFor } from '../../data';
import { buildZeroShotHeads, writeHeads } from '../../eval';
import { nodeFileSink } from '../../io/node';
import type { CliIo, Command } from '../types';
import { clipRoute } from './errors';
import { CliUsageError } from '../types';
import { loadClipTokenizer } from '../../data';
import { optionalSide, requiredSide, withClipFolders } from './open-model';
import { openTasks, startTf } from './setup';
import { readClipModel } from '../../eval';
import { parseNamedPaths } from './task-args';

const usage = `usage: heads --clip <CLIPModel folder> (--task <name>=<data> | --classes <name>=<a,b,c>) ... --out <heads.safetensors> [--device wasm|cpu|webgpu]
  Builds zero-shot classification heads as CLIP and FusionBench do: every class name in every
  prompt template of the task (FusionBench's templates for its task names, "a photo of a {}."
  otherwise) through the text tower and text_projection, normalised, averaged, normalised.
  The file holds one F32 tensor [classes, projection_dim] per task, class names in its metadata.`;

function parseClassLists(raw: readonly string[] | undefined) {
  return parseNamedPaths('classes', raw).map(({ name, path }) => {
    const classNames = path.split(',').map((c) => c.trim());
    if (classNames.some((c) => c === ''))
      throw new CliUsageError(`--classes ${name}: empty class name in "${path}"`);
    return { task: name, classNames };
  });
}

export const headsCommand: Command = {
  summary: 'zero-shot heads from class names through a CLIP text tower, saved as safetensors',
  usage,
  run: (args, io) => clipRoute(() => buildHeads(args, io)),
};

async function buildHeads(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      clip: { type: 'string' },
      task: { type: 'string', multiple: true },
      classes: { type: 'string', multiple: true },
      out: { type: 'string' },
      device: { type: 'string', default: 'wasm' },
    },
  });
  if (!values.clip) throw new CliUsageError('heads needs --clip <CLIPModel folder>');
  if (!values.out) throw new CliUsageError('heads needs --out <heads.safetensors>');
  const direct = parseClassLists(values.classes);
  const fromData = values.task?.length
    ? await openTasks(parseNamedPaths('task', values.task), false)
    : [];
  const requests = [
    ...direct,
    ...fromData.map((t) => {
      if (!t.classNames)
        throw new CliUsageError(`${t.source}: task "${t.task}" names no classes; use --classes`);
      return { task: t.task, classNames: t.classNames };
    }),
  ].map((r) => ({ ...r, templates: templatesFor(r.task) }));
  if (requests.length === 0) throw new CliUsageError('name at least one --task or --classes');
  const { tokenizer, device, model } = await withClipFolders(values.clip, undefined, async (f) => ({
    tokenizer: loadClipTokenizer(
      requiredSide(f, 'tokenizer.json', 'the CLIP tokenizer'),
      optionalSide(f, 'tokenizer_config.json'),
    ),
    device: await startTf(values.device),
    model: await readClipModel(f.model.checkpoint, undefined, { text: true }),
  }));
  const heads = await buildZeroShotHeads(model, tokenizer, requests, (task, done, total) =>
    io.err(`heads: ${done}/${total} tasks (${task})`),
  );
  const sink = await nodeFileSink(values.out);
  try {
    await writeHeads(sink, heads);
  } catch (e) {
    await sink.abort(e);
    throw e;
  }
  io.out(
    `wrote ${values.out}: ${heads.map((h) => `${h.task} [${h.classNames.length}, ${h.dim}]`).join(', ')} (tfjs ${device})`,
  );
  return 0;
}
