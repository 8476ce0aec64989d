import type { TaskVectorAnalysis } from '../../../src/worker/protocol';
import { LayerNormChart } from './LayerNormChart';
import { MatrixTable } from './MatrixTable';

/** Cosine in [−1, 1]: red for opposed, white at 0, blue for aligned. */
const cosineShade = (v: number) =>
  v >= 0
    ? `hsl(215 70% ${Math.round(97 - Math.min(1, v) * 45)}%)`
    : `hsl(5 70% ${Math.round(97 - Math.min(1, -v) * 45)}%)`;

/** Conflict rate in [0, 1]: 0.5 is what unrelated random vectors give; darker = more conflict. */
const conflictShade = (v: number) => `hsl(30 80% ${Math.round(97 - Math.min(1, v) * 50)}%)`;

export function AnalysisResult({ result }: { result: TaskVectorAnalysis }) {
  const { tasks } = result;
  return (
    <div className="analysis">
      <p className="note">
        {result.tensors} tensors, {result.parameters.toLocaleString('en')} parameters per task
        vector (task-specific tensors left out). ‖τ‖:{' '}
        {tasks.map((t, i) => `${t} ${result.norms[i]!.toPrecision(3)}`).join(', ')}.
      </p>
      {/* The two matrices side by side when they fit, else stacked; each scrolls on its own
          rather than spilling over its neighbour. The chart takes the full width below. */}
      <div className="analysis__matrices">
        <MatrixTable
          caption="Cosine similarity between task vectors"
          testId="cosine-matrix"
          labels={tasks}
          values={result.cosine}
          shade={cosineShade}
        />
        <MatrixTable
          caption="Sign-conflict rate (share of coordinates non-zero in both with opposite signs)"
          testId="conflict-matrix"
          labels={tasks}
          values={result.signConflict}
          shade={conflictShade}
        />
      </div>
      <LayerNormChart tasks={tasks} layers={result.layers} />
    </div>
  );
}
