/**
 * A shape mismatch on an embedding or LM-head matrix that differs only in its row count is a
 * vocabulary-size mismatch (a fine-tune added tokens), to be named as such with the way out
 * (tokenizer_source). Browser-safe.
 */

/** Token-embedding and output-head tensor names of the common architectures (HF naming). */
const VOCAB_TENSOR =
  /(^|\.)(embed_tokens|lm_head|wte|word_embeddings|embed_in|embed_out|shared|tok_embeddings|output)\.weight$/;

export function isVocabularyMismatch(name: string, a: number[], b: number[]): boolean {
  return (
    VOCAB_TENSOR.test(name) && a.length === 2 && b.length === 2 && a[1] === b[1] && a[0] !== b[0]
  );
}
