import { memo, useMemo } from 'react';
import type { LayerNorms } from '../../../src/worker/protocol';
import { SeriesLineChart } from '../../components/SeriesLineChart';
import { seriesRows } from '../../lib/seriesRows';

const twoDigits = (v: number) => v.toPrecision(2);
const threeDigits = (v: number) => v.toPrecision(3);

/** ‖τₜ‖ per block, one line per task (tensors outside numbered blocks are left off the axis). */
export const LayerNormChart = memo(function LayerNormChart({
  tasks,
  layers,
}: {
  tasks: string[];
  layers: LayerNorms[];
}) {
  const data = useMemo(
    () =>
      seriesRows(
        layers.filter((l): l is LayerNorms & { layer: number } => l.layer !== null),
        'layer',
        (l) => ({ x: l.layer, values: l.norms }),
      ),
    [layers],
  );
  if (data.length === 0) return <p className="note">No numbered blocks in these models.</p>;
  return (
    <SeriesLineChart
      label="Task-vector norm per layer"
      caption="‖τ‖ per layer"
      testId="layer-norms"
      data={data}
      xKey="layer"
      series={tasks}
      numericX
      yTick={twoDigits}
      tooltip={threeDigits}
    />
  );
});
