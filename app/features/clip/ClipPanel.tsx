import { Panel } from '../../components/Panel';
import { ClipAdaMerging } from './ClipAdaMerging';
import { ClipDemo } from './ClipDemo';
import { ClipModels } from './ClipModels';
import { ClipResults } from './ClipResults';
import { useClip } from './store';
import './clip.css';

/**
 * "Your own CLIP models": a CLIPModel base, CLIPVisionModel fine-tunes with one task each
 * (ImageFolder or Parquet data), then the accuracy table (zero-shot, individual fine-tunes,
 * merges), a live λ estimate and CLIP AdaMerging — on the user's own files, in the tab.
 */
export function ClipPanel() {
  const ready = useClip(
    (s) => s.base?.status === 'ready' && s.finetunes.some((f) => f.data?.status === 'ready'),
  );
  return (
    <Panel
      title="Your own CLIP models"
      subtitle="A CLIP base (CLIPModel folder), fine-tuned vision towers and a test set per task: accuracy, merges and AdaMerging in this tab"
      data-testid="clip-panel"
    >
      <ClipDemo />
      <ClipModels />
      <h3 className="clip-section">Accuracy</h3>
      <ClipResults ready={ready} />
      <h3 className="clip-section">AdaMerging</h3>
      <ClipAdaMerging ready={ready} />
    </Panel>
  );
}
