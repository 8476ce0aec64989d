/** The architecture registry: evaluation, the sliders and AdaMerging know these. */
import type { Architecture, ArchitectureInput, RecognisedArchitecture } from './architecture';
import { clipArchitecture } from './clip/architecture';
import { zooVitArchitecture } from './vit-architecture';
import { denseVitArchitecture } from './dense/architecture';

// The dense ViT before the zoo ViT: it has the same encoder names plus decoders.
export const ARCHITECTURES: readonly Architecture[] = [
  clipArchitecture,
  denseVitArchitecture,
  zooVitArchitecture,
];

/** Thrown where a job needs a known architecture (merging itself does not). */
export class UnsupportedArchitectureError extends Error {
  constructor(file: string) {
    super(
      `${file}: evaluation and AdaMerging need a supported architecture; supported: ` +
        `${ARCHITECTURES.map((a) => a.title).join('; ')} (any checkpoint still merges)`,
    );
    this.name = 'UnsupportedArchitectureError';
  }
}

/** The first architecture that recognises the checkpoint, or null. */
export function recogniseArchitecture(input: ArchitectureInput): RecognisedArchitecture | null {
  for (const a of ARCHITECTURES) {
    const r = a.recognise(input);
    if (r) return r;
  }
  return null;
}

export function requireArchitecture(input: ArchitectureInput): RecognisedArchitecture {
  const r = recogniseArchitecture(input);
  if (!r) throw new UnsupportedArchitectureError(input.file);
  return r;
}
