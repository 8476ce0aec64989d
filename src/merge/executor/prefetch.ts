/**
 * Iterates work items while the next item's inputs are already being read: reading (file I/O,
 * Blob.slice) overlaps the current item's compute and write. Bounded to one item ahead, so
 * memory stays at two items' inputs; items the caller marks as too big are not read ahead.
 */
export async function* prefetchOneAhead<T, R>(
  items: readonly T[],
  load: (item: T) => Promise<R>,
  /**
   * Whether `next` may be read while `current` is processed (large whole tensors are read
   * only when reached, and nothing is read during a large one: memory is its inputs alone).
   */
  mayReadAhead: (next: T, current: T) => boolean = () => true,
): AsyncGenerator<{ item: T; value: R }> {
  // A rejected look-ahead is handled where it is awaited; mark it handled so that stopping
  // early (an error or cancellation in the consumer) never reports an unhandled rejection.
  const start = (i: number) => {
    const p = load(items[i]!);
    p.catch(() => undefined);
    return p;
  };
  let pending = items.length > 0 ? start(0) : undefined;
  for (let i = 0; i < items.length; i++) {
    const value = await (pending ?? start(i));
    pending =
      i + 1 < items.length && mayReadAhead(items[i + 1]!, items[i]!) ? start(i + 1) : undefined;
    yield { item: items[i]!, value };
  }
}
