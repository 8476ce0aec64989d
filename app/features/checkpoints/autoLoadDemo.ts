import { loadClipDemo } from '../clip/demo';
import { loadDemo } from './actions';

let started = false;

/**
 * `?demo` in the URL loads the demo zoo at startup (the README's start command opens
 * `/?demo`); `?demo=clip` loads the CLIP demo zoo into the CLIP panel instead, and scrolls
 * to it. Once per page: React's StrictMode runs effects twice in development.
 */
export function autoLoadDemo(search: string = window.location.search): void {
  const demo = new URLSearchParams(search).get('demo');
  if (started || demo === null) return;
  started = true;
  if (demo !== 'clip') return void loadDemo();
  void loadClipDemo();
  requestAnimationFrame(() =>
    document.querySelector('[data-testid="clip-panel"]')?.scrollIntoView(),
  );
}
