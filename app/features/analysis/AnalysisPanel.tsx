import { useStudio } from '../../store';
import { Panel } from '../../components/Panel';
import { Button } from '../../components/Button';
import { AnalysisResult } from './AnalysisResult';
import { fineTuneIds, runAnalysis } from './actions';

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
            (running
              ? `Analysing… ${analysis.done}/${analysis.total || '?'} tensors`
              : analysis.status === 'failed'
                ? analysis.error.message
                : '')}
        </span>
      </div>
      {analysis.status === 'done' && <AnalysisResult result={analysis.result} />}
    </Panel>
  );
}
