/**
 * The app's single connection to the core: one module worker, one client. Components never
 * import the worker or core modules that compute; they call actions that go through here.
 */
import { StudioClient } from '../../src/worker/client';
import { StudioError } from '../../src/worker/errors';

let client: StudioClient | undefined;

export function studio(): StudioClient {
  if (client) return client;
  const worker = new Worker(new URL('../../src/worker/studio.worker.ts', import.meta.url), {
    type: 'module',
    name: 'studio',
  });
  const created = new StudioClient(worker);
  // A crashed worker must not leave spinners forever: every pending call fails with a reason.
  worker.addEventListener('error', (event) => {
    created.failAll(
      new StudioError({
        code: 'worker-crashed',
        message: `The studio worker stopped: ${event.message ?? 'its code failed to load'}`,
      }),
    );
  });
  client = created;
  return created;
}
