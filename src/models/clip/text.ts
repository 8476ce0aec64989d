/**
 * The text tower (transformers' CLIPTextTransformer) and text_projection. Token ids are plain
 * integers known before the forward, so the masks and the pooling positions are built on the
 * CPU; only the parameters flow through tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipConfig, ClipTextConfig } from './config';
import { ClipInputError } from './errors';
import { clipGetter, encoder, layerNorm, linear, type ClipParams } from './ops';

/** Added to masked attention scores: exp underflows to exactly 0 in f32. */
const MASKED = -1e9;

/** Token ids as transformers takes them: `batch` rows of `seqLen`, row-major. */
interface ClipTextInput {
  ids: Int32Array;
  batch: number;
  seqLen: number;
  /** 1 = attend, 0 = padding (transformers' attention_mask); absent = attend to all. */
  attentionMask?: ArrayLike<number>;
}

function textConfigOf(cfg: ClipConfig): ClipTextConfig {
  if (!cfg.text) throw new ClipInputError(`a ${cfg.variant} has no text tower`);
  return cfg.text;
}

function checkInput(input: ClipTextInput, text: ClipTextConfig): void {
  const { ids, batch, seqLen, attentionMask } = input;
  if (!Number.isInteger(batch) || batch <= 0 || !Number.isInteger(seqLen) || seqLen <= 0) {
    throw new ClipInputError(`CLIP text batch and length must be positive integers`);
  }
  if (seqLen > text.maxPositions) {
    throw new ClipInputError(
      `CLIP text length ${seqLen} is longer than max_position_embeddings ${text.maxPositions}`,
    );
  }
  if (ids.length !== batch * seqLen) {
    throw new ClipInputError(`CLIP token ids: ${ids.length} ids for ${batch} × ${seqLen}`);
  }
  const bad = ids.findIndex((id) => id < 0 || id >= text.vocabSize);
  if (bad >= 0) {
    throw new ClipInputError(
      `CLIP token id ${ids[bad]} (row ${Math.floor(bad / seqLen)}) is outside the vocabulary of ${text.vocabSize}`,
    );
  }
  if (attentionMask && attentionMask.length !== ids.length) {
    throw new ClipInputError(
      `CLIP attention mask has ${attentionMask.length} entries for ${ids.length} ids`,
    );
  }
}

/**
 * Where transformers pools each row: with the legacy eos_token_id 2 (openai's configs) at the
 * argmax of the ids (the end-of-text token is the largest id), otherwise at the first position
 * holding eos_token_id (0 when there is none, as argmax of an all-false row). Ties → first.
 */
export function clipTextPoolPositions(
  ids: Int32Array,
  batch: number,
  seqLen: number,
  eosTokenId: number,
): Int32Array {
  const positions = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const row = ids.subarray(b * seqLen, (b + 1) * seqLen);
    let at = 0;
    if (eosTokenId === 2) {
      for (let t = 1; t < seqLen; t++) if ((row[t] ?? 0) > (row[at] ?? 0)) at = t;
    } else {
      const first = row.indexOf(eosTokenId);
      at = first < 0 ? 0 : first;
    }
    positions[b] = at;
  }
  return positions;
}

/** Causal mask, plus the padding mask on key positions when given: [N, 1, T, T] additive. */
function attentionBias(input: ClipTextInput): tf.Tensor4D {
  const { batch, seqLen: t, attentionMask } = input;
  const bias = new Float32Array(batch * t * t);
  for (let b = 0; b < batch; b++) {
    for (let q = 0; q < t; q++) {
      for (let k = 0; k < t; k++) {
        const padded = attentionMask !== undefined && attentionMask[b * t + k] === 0;
        if (k > q || padded) bias[(b * t + q) * t + k] = MASKED;
      }
    }
  }
  return tf.tensor4d(bias, [batch, 1, t, t]);
}

/**
 * CLIPTextModel's pooled output: final_layer_norm of the hidden state at each row's pooling
 * position, [N, hidden]. `ids` are `batch` rows of `seqLen` token ids, row-major;
 * `attentionMask` (same layout) is transformers' attention_mask: 1 attend, 0 padding.
 */
export function clipTextFeatures(
  params: ClipParams,
  ids: Int32Array,
  batch: number,
  seqLen: number,
  cfg: ClipConfig,
  attentionMask?: ArrayLike<number>,
): tf.Tensor2D {
  const text = textConfigOf(cfg);
  const input: ClipTextInput = { ids, batch, seqLen, attentionMask };
  checkInput(input, text);
  const get = clipGetter(params);
  const pool = clipTextPoolPositions(ids, batch, seqLen, text.eosTokenId);
  return tf.tidy(() => {
    const d = text.hiddenSize;
    const tokens = tf.gather(
      get('text_model.embeddings.token_embedding.weight'),
      tf.tensor1d(ids, 'int32'),
    );
    const positions = tf.slice(
      get('text_model.embeddings.position_embedding.weight'),
      [0, 0],
      [seqLen, d],
    );
    const x = tf.add(tf.reshape(tokens, [batch, seqLen, d]), positions);
    const last = encoder(x, get, 'text_model', text.numLayers, text, attentionBias(input));
    // final_layer_norm acts per token: normalising only the pooled rows gives the same values.
    const rows = Int32Array.from(pool, (t, b) => b * seqLen + t);
    const pooled = tf.gather(tf.reshape(last, [batch * seqLen, d]), tf.tensor1d(rows, 'int32'));
    return layerNorm(
      pooled,
      get('text_model.final_layer_norm.weight'),
      get('text_model.final_layer_norm.bias'),
      text.layerNormEps,
    ) as tf.Tensor2D;
  });
}

/** CLIPModel.get_text_features: text_projection(pooled) [N, proj], not normalised. */
export function clipTextEmbeds(
  params: ClipParams,
  ids: Int32Array,
  batch: number,
  seqLen: number,
  cfg: ClipConfig,
  attentionMask?: ArrayLike<number>,
): tf.Tensor2D {
  return tf.tidy(() =>
    linear(
      clipTextFeatures(params, ids, batch, seqLen, cfg, attentionMask),
      clipGetter(params)('text_projection.weight'),
    ),
  );
}
