import { Button } from '../../components/Button';
import { loadClipDemo } from './demo';
import { useClip } from './store';

/**
 * "Load CLIP demo": the published CLIP zoo (public/clip-zoo) loaded into this panel as if its
 * folders had been dropped, then evaluated at once. Says what is loaded and where it came from.
 */
export function ClipDemo() {
  const busy = useClip((s) => s.job !== null);
  const demo = useClip((s) => s.demo);
  return (
    <div className="clip-demo" data-testid="clip-demo">
      <Button
        variant="primary"
        disabled={busy}
        title="A tiny CLIP base, eight fine-tuned vision towers and their test sets (public/clip-zoo), evaluated at once"
        onClick={() => void loadClipDemo()}
      >
        Load CLIP demo
      </Button>
      {demo ? (
        <span className="clip-demo__what" data-testid="clip-demo-loaded">
          {demo.name} (seed {demo.seed}, {demo.scale} scale):{' '}
          {demo.tasks.map((t) => `${t.name} (${t.licence})`).join(', ')}
        </span>
      ) : (
        <span className="clip-demo__what">
          or bring your own: a base, fine-tunes and test sets below
        </span>
      )}
    </div>
  );
}
