/**
 * The studio's module worker: every heavy or I/O-bound step runs here, reached only through
 * the typed protocol. Imports core code only (io, gpu, merge, eval, adapt), never UI code.
 * The one StudioSession made here holds the worker's state and is passed to every handler.
 */
import { loadZoo } from '../zoo';
import { ZOO_URL } from './demo/zoo';
import type { Endpoint } from './endpoint';
import { setUpTfDevice } from './eval/device';
import { studioHandlers } from './handlers';
import { serve } from './serve';
import { StudioSession } from './session';

const session = new StudioSession({ loadZoo: () => loadZoo(ZOO_URL), tfDevice: setUpTfDevice });

serve(self as unknown as Endpoint, studioHandlers(session));
