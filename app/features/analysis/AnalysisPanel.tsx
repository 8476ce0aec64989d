import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { Button } from '../../components/Button';
import { AnalysisResult } from './AnalysisResult';
import { JobProgress } from '../../components/JobProgress';
import { cancelAnalysis, fineTuneIds, runAnalysis } from './actions';

/** Why the analysis cannot run yet, or null when it can. */
function useBlocker(): string | null {
  const baseId = useStudio((s) => s.baseId);
  const fineTunes = useStudio((s) => fineTuneIds(s).length);
  const compatibility = useStudio((s) => s.compatibility);
  if (!baseId) return 'Load checkpoints and pick a base first.';
  if (fineTunes === 0) return 'Load at least one fine-tune besides the base.';
  if (compatibility.status === 'done' && !compatibility.report.compatible)
    return 'The checkpoints are not compatible with the base.';
  return null;
}

/** Task vectors τ = θ − θ₀: how aligned they are, where they are large, where signs fight. */
export function AnalysisPanel() {
  const analysis = useStudio((s) => s.analysis);
  const blocker = useBlocker();
  const running = analysis.status === 'running';
  return (
    <Panel
      title="Task vectors"
      subtitle="Cosine similarity, per-layer norms and sign conflicts of the fine-tunes' task vectors."
      className="area-analysis"
    >
      <div className="toolbar">
        <Button disabled={running || blocker !== null} onClick={() => void runAnalysis()}>
          Analyse task vectors
        </Button>
        <span className="note" aria-live="polite">
          {blocker ??
            (analysis.status === 'failed'
              ? analysis.error.message
              : analysis.status === 'cancelled'
                ? 'Cancelled.'
                : '')}
        </span>
      </div>
      {analysis.status === 'running' && (
        <JobProgress
          name="Analysis"
          testId="analysis-progress"
          onCancel={cancelAnalysis}
          job={{
            phase: 'Reading base and fine-tunes, tensor by tensor',
            unit: 'tensors',
            ...analysis,
          }}
        />
      )}
      {analysis.status === 'done' && <AnalysisResult result={analysis.result} />}
    </Panel>
  );
}
