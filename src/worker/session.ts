/**
 * Everything the worker remembers between requests, in one object the entry creates and hands
 * to every handler: the loaded checkpoints, the page's device preferences, the demo zoo and the
 * tfjs device (each set up once), the last in-memory merge (for evaluation), live exploration's
 * caches, and the running AdaMerging's pause token. No handler module keeps state of its own,
 * so handlers can be tested with a fresh session and never reach into each other.
 */
import type { Checkpoint } from '../io';
import type { TfDevice } from '../tf';
import type { LoadedZoo } from '../zoo';
import type { PauseToken } from '../adapt';
import type { EncoderScorer } from '../eval';
import { CheckpointRegistry } from './checkpoints/registry';
import { EstimateSizer } from './explore/estimate-size';
import { TaskVectorCache } from './explore/weights-cache';
import type { GpuPreference, TfChoice, TfPreference } from './protocol';
import { ClipStudioState } from './clip/state';
import { SimoStudioState } from './simo/state';

/** Live exploration's device-resident state, kept between slider moves. */
export interface ExploreState {
  /** θ₀ and τ of the opened checkpoints, on the tfjs device. */
  readonly cache: TaskVectorCache;
  /** Sizes each estimate from the speed of the previous scoring passes. */
  readonly sizer: EstimateSizer;
  /**
   * One scorer (cached images) per family and set of tasks: all of them for Live, two per
   * sweep; `owner` is what it was made for (the zoo, the CLIP tasks' pixel cache).
   */
  readonly scorers: Map<string, { owner: object; scorer: EncoderScorer }>;
}

export class StudioSession {
  readonly registry = new CheckpointRegistry();
  /** Set by the capabilities request, so merges follow what the banner told the user. */
  gpuPreference: GpuPreference = 'auto';
  /**
   * `auto`: tfjs (evaluation, AdaMerging's evaluation events and export) on the backend the
   * probe measured fastest; `wasm` / `webgpu` force it (`?tf=`). AdaMerging's step itself runs
   * on the fused WebGPU engine whenever there is a device.
   */
  tfPreference: TfPreference = 'auto';
  /** The page's remembered choice for this adapter (skips the probe), from `chooseBackend`. */
  rememberedTf: Pick<TfChoice, 'device' | 'probeMs'> | null = null;
  /** What tfDevice() chose and how, once it has. */
  tfChoice: TfChoice | null = null;
  /** The bytes of the last in-memory merge, kept for evaluation (set by the merge handler). */
  lastMerged: Uint8Array | null = null;
  /** The checkpoints that merge was made of (its base and models): which suite scores it. */
  lastMergedFrom: string[] = [];
  /** That merge's EMR modulators file and base model θ₀ (null for other methods): Results
   * scores each task with its own modulated model. Set together with `lastMerged`. */
  lastModulators: { bytes: Uint8Array; base: Checkpoint } | null = null;
  readonly explore: ExploreState = {
    cache: new TaskVectorCache(),
    sizer: new EstimateSizer(),
    scorers: new Map(),
  };
  /** The CLIP page's base, fine-tunes and their tasks. */
  readonly clip = new ClipStudioState();
  /** The SIMO panel's pool and last good run. */
  readonly simo = new SimoStudioState();
  /** The running AdaMerging's pause token (one run at a time), null when none runs. */
  adamergingPause: PauseToken | null = null;

  private zoo: Promise<LoadedZoo> | undefined;
  private device: Promise<TfDevice> | undefined;

  constructor(
    private readonly setUp: {
      loadZoo: () => Promise<LoadedZoo>;
      tfDevice: (session: StudioSession) => Promise<TfDevice>;
    },
  ) {}

  /** The zoo with its test sets, fetched once per worker (again after a failure). */
  theZoo(): Promise<LoadedZoo> {
    this.zoo ??= this.setUp.loadZoo().catch((error: unknown) => {
      this.zoo = undefined; // let a later attempt (after `npm run zoo`) try again
      throw error;
    });
    return this.zoo;
  }

  /** tfjs on the worker's WebGPU device (or wasm / the CPU), set up once and shared. */
  tfDevice(): Promise<TfDevice> {
    this.device ??= this.setUp.tfDevice(this);
    return this.device;
  }
}
