/** One chart row: the x value under `xKey`, then series i's value under `s{i}`. */
export type SeriesRow = Record<string, number | null>;

export const seriesKey = (i: number) => `s${i}`;

/** Rows for SeriesLineChart from (x, one value per series) pairs. */
export function seriesRows<T>(
  items: readonly T[],
  xKey: string,
  pick: (item: T, index: number) => { x: number; values: readonly (number | null | undefined)[] },
): SeriesRow[] {
  return items.map((item, index) => {
    const { x, values } = pick(item, index);
    const row: SeriesRow = { [xKey]: x };
    values.forEach((v, i) => (row[seriesKey(i)] = v ?? null));
    return row;
  });
}
