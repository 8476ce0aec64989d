/**
 * Is this checkpoint a Hugging Face CLIP model, and do its config and tensors agree? The config
 * decides what the model is; the tensors must then be exactly what that config implies.
 */
import { parseClipConfig, type ClipConfig } from './config';
import { ClipCheckpointError, ClipConfigError } from './errors';
import { clipTensorShapes } from './tensors';

/** A tensor's shape by name, undefined when the checkpoint has no such tensor. */
export type ShapeLookup = (name: string) => readonly number[] | undefined;

const CLIP_MODEL_TYPES = ['clip', 'clip_vision_model', 'clip_text_model'];

function looksLikeClipConfig(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const { model_type: modelType, architectures } = json as Record<string, unknown>;
  if (typeof modelType === 'string') return CLIP_MODEL_TYPES.includes(modelType);
  return Array.isArray(architectures) && architectures.some((a) => /^CLIP[A-Z]/.test(String(a)));
}

/** pre_layrnorm (sic) and class_embedding are CLIP's own; SigLIP's vision_model has neither. */
function looksLikeClipTensors(names: ReadonlySet<string>): boolean {
  return (
    names.has('vision_model.embeddings.class_embedding') ||
    names.has('vision_model.pre_layrnorm.weight')
  );
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Layers `<tower>.encoder.layers.<i>` present beyond the config's count. */
function extraLayer(names: readonly string[], tower: string, layers: number): string | undefined {
  const re = new RegExp(`^${tower}\\.encoder\\.layers\\.(\\d+)\\.`);
  return names.find((n) => {
    const m = re.exec(n);
    return m !== null && Number(m[1]) >= layers;
  });
}

/**
 * Throws a ClipCheckpointError naming `file` and the first tensor that is missing, has the wrong
 * shape (when `shapeOf` is given) or belongs to a layer the config does not have.
 */
export function checkClipTensors(
  cfg: ClipConfig,
  tensorNames: readonly string[],
  file: string,
  shapeOf?: ShapeLookup,
  configFile = 'config.json',
): void {
  const names = new Set(tensorNames);
  if (cfg.variant === 'CLIPModel' && !tensorNames.some((n) => n.startsWith('text_model.'))) {
    throw new ClipCheckpointError(
      file,
      undefined,
      `${configFile} says CLIPModel but there are no text_model.* tensors (a vision-only ` +
        `checkpoint? Its config.json would say model_type "clip_vision_model")`,
    );
  }
  for (const [name, shape] of clipTensorShapes(cfg)) {
    if (!names.has(name)) {
      throw new ClipCheckpointError(file, name, `missing (${configFile} says ${cfg.variant})`);
    }
    const actual = shapeOf?.(name);
    if (actual && shapeText(actual) !== shapeText(shape)) {
      throw new ClipCheckpointError(
        file,
        name,
        `shape ${shapeText(actual)}, but ${configFile} implies ${shapeText(shape)}`,
      );
    }
  }
  const towers: [string, number | undefined][] = [
    ['vision_model', cfg.vision.numLayers],
    ['text_model', cfg.text?.numLayers],
  ];
  for (const [tower, layers] of towers) {
    const extra = layers === undefined ? undefined : extraLayer(tensorNames, tower, layers);
    if (extra) {
      throw new ClipCheckpointError(
        file,
        extra,
        `${configFile} gives ${tower} only ${layers} layers (numbered from 0)`,
      );
    }
  }
}

/**
 * The checkpoint's ClipConfig, or null when it is not CLIP (a non-CLIP config.json, or no
 * config and no CLIP tensors). Throws when it is CLIP but config and tensors disagree, or when
 * CLIP tensors come without a config.json (sizes, activation and token ids live only there).
 */
export function recogniseClip(
  configJson: unknown,
  tensorNames: readonly string[],
  file: string,
  shapeOf?: ShapeLookup,
  configFile = 'config.json',
): ClipConfig | null {
  const clipTensors = looksLikeClipTensors(new Set(tensorNames));
  if (configJson !== undefined && !looksLikeClipConfig(configJson)) return null;
  if (configJson === undefined) {
    if (!clipTensors) return null;
    throw new ClipConfigError(
      configFile,
      undefined,
      `missing: ${file} holds CLIP tensors, and the layer sizes, activation and token ids ` +
        'are only in the config.json saved beside them',
    );
  }
  const cfg = parseClipConfig(configJson, configFile);
  if (!clipTensors) {
    throw new ClipCheckpointError(
      file,
      undefined,
      `${configFile} describes a ${cfg.variant} but there are no CLIP vision tensors ` +
        '(vision_model.embeddings.class_embedding, vision_model.pre_layrnorm.*)',
    );
  }
  checkClipTensors(cfg, tensorNames, file, shapeOf, configFile);
  return cfg;
}
