import { memo } from 'react';
import { useStudio } from '../../store';
import { useTaskTitles } from './useTaskTitles';

/** λ in [0, 1] → a blue of matching strength (values outside are clipped for colour only). */
function shade(value: number): string {
  const v = Math.min(1, Math.max(0, value));
  return `hsl(215 70% ${Math.round(96 - v * 60)}%)`;
}

/** Tasks × merged tensors: every coefficient as a cell, its value in the tooltip. */
export const LambdaHeatmap = memo(function LambdaHeatmap() {
  const lambdas = useStudio((s) => s.adaLambdas);
  const titles = useTaskTitles();
  if (!lambdas) return null;
  const columns = lambdas[0]?.length ?? 0;
  return (
    <figure className="ada-chart" aria-label="Lambda heatmap, tasks by merged tensors">
      <figcaption>λ heatmap (tasks × merged tensors; darker = larger)</figcaption>
      <div
        className="heatmap"
        data-testid="lambda-heatmap"
        style={{ gridTemplateColumns: `6em repeat(${columns}, minmax(2px, 1fr))` }}
      >
        {lambdas.map((row, t) => [
          <span key={`label-${t}`} className="heatmap__label">
            {titles[t] ?? `task ${t + 1}`}
          </span>,
          ...row.map((value, l) => (
            <span
              key={`${t}-${l}`}
              className="heatmap__cell"
              style={{ background: shade(value) }}
              title={`${titles[t] ?? t}, tensor ${l}: λ = ${value.toFixed(3)}`}
            />
          )),
        ])}
      </div>
    </figure>
  );
});
