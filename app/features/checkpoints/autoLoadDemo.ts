import { startDemo } from '../clip/demo';
import { loadDemo } from './actions';

let started = false;

/**
 * `?demo` in the URL loads the demo at startup: the tiny-CLIP zoo, as "Load demo" does
 * (`?demo=clip` is the same, for links made before it was the default). `?demo=v1` loads the
 * v1 toy zoo instead — kept for the tests that pin its numbers and as history; merging hurts
 * there (docs/zoo.md). Once per page: React's StrictMode runs effects twice in development.
 */
export function autoLoadDemo(search: string = window.location.search): void {
  const demo = new URLSearchParams(search).get('demo');
  if (started || demo === null) return;
  started = true;
  void (demo === 'v1' ? loadDemo() : startDemo());
}
