import { useEffect } from 'react';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { loadDemo, probeDemo } from './actions';

/** Loads the demo zoo (a base and its fine-tunes made by the project), when it is built. */
export function LoadDemoButton() {
  const demo = useStudio((s) => s.demo);
  useEffect(() => {
    void probeDemo();
  }, []);
  const unavailable = demo !== null && !demo.available;
  const title = !demo
    ? 'Looking for the demo zoo…'
    : demo.available
      ? `Load the demo: a base model fine-tuned on ${demo.tasks.join(', ')}`
      : `No demo here: ${demo.reason}`;
  return (
    <span title={title}>
      <Button
        variant="ghost"
        disabled={!demo?.available}
        aria-describedby={unavailable ? 'demo-unavailable' : undefined}
        onClick={() => void loadDemo()}
      >
        Load demo
      </Button>
      {unavailable && (
        <span id="demo-unavailable" className="visually-hidden">
          {demo.reason}
        </span>
      )}
    </span>
  );
}
