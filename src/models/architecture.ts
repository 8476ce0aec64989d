/**
 * What an architecture says about itself, as data: how it is recognised, which tensors merging
 * changes (the shared encoder) and which it leaves alone (task heads, decoders, a CLIP text
 * tower), and its blocks (for layer-wise λ, LiNeS and per-block gradient lists). Its forward and
 * its AdaMerging step live in its own folder. Adding an architecture is a folder and one line
 * in ./architectures.ts.
 */
export interface ArchitectureInput {
  /** Parsed config.json, when the checkpoint came with one. */
  config: unknown;
  tensorNames: readonly string[];
  /** The checkpoint's name, for messages. */
  file: string;
  shapeOf?: (name: string) => readonly number[] | undefined;
}

export interface RecognisedArchitecture {
  id: string;
  /** E.g. CLIPVisionModel. */
  variant: string;
  /** A tensor merging changes. */
  isMerged(name: string): boolean;
  /** Name substrings never merged (recipe `merge_studio.task_specific`). */
  unmerged: readonly string[];
  /** Block index along the depth, null outside the merged encoder. */
  blockOf(name: string): number | null;
  blocks: number;
}

export interface Architecture {
  id: string;
  title: string;
  /** null when the checkpoint is not this architecture; throws when it is but does not fit. */
  recognise(input: ArchitectureInput): RecognisedArchitecture | null;
}
