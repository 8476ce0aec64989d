import { memo, useMemo } from 'react';
import { SeriesLineChart } from '../../components/SeriesLineChart';
import { seriesRows } from '../../lib/seriesRows';
import { useStudio } from '../../store';
import { useTaskTitles } from './useTaskTitles';

const threeDecimals = (v: number) => v.toFixed(3);

/** The current λ of each task along the merged tensors (layer-wise), one line per task. */
export const LambdaLines = memo(function LambdaLines() {
  const lambdas = useStudio((s) => s.adaLambdas);
  const titles = useTaskTitles();
  const data = useMemo(() => {
    const layers = Array.from({ length: lambdas?.[0]?.length ?? 0 }, (_, l) => l);
    return seriesRows(layers, 'layer', (l) => ({
      x: l,
      values: (lambdas ?? []).map((row) => row[l]),
    }));
  }, [lambdas]);
  return (
    <SeriesLineChart
      label="Lambda per merged tensor"
      caption="λ per merged tensor"
      data={data}
      xKey="layer"
      series={titles}
      tooltip={threeDecimals}
      legend={false}
      dots={false}
    />
  );
});
