import { loadDemo } from './actions';

let started = false;

/**
 * `?demo` in the URL loads the demo zoo at startup (the README's start command opens
 * `/?demo`). Once per page: React's StrictMode runs effects twice in development.
 */
export function autoLoadDemo(search: string = window.location.search): void {
  if (started || !new URLSearchParams(search).has('demo')) return;
  started = true;
  void loadDemo();
}
