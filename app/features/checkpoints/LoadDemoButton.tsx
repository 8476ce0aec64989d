import { Button } from '../../components/Button';

/**
 * Loads the demo zoo (a base and its fine-tunes made by the project). The zoo loader has not
 * landed yet, so the button explains that instead of doing nothing.
 */
export function LoadDemoButton() {
  return (
    <span title="The demo zoo is not built into this version yet">
      <Button variant="ghost" disabled aria-describedby="demo-unavailable">
        Load demo
      </Button>
      <span id="demo-unavailable" className="visually-hidden">
        The demo zoo is not available yet.
      </span>
    </span>
  );
}
