/** The CLIP page's handlers, each given the StudioSession (its `clip` state and registry). */
import type { Handlers } from '../serve';
import type { StudioSession } from '../session';
import type { ClipMethods } from './protocol';
import { addClipFinetune, attachClipData, loadClipBase, removeClipEntry } from './load';
import { clipEvaluate } from './evaluate';
import { clipAdamerge, clipFootprint } from './adamerge';
import { fetchClipDemo, probeClipDemo } from '../demo/clip-zoo';

export function clipHandlers(session: StudioSession): Pick<Handlers, keyof ClipMethods> {
  return {
    clipDemoProbe: () => probeClipDemo(),
    clipDemoFetch: (_params, { signal, emit }) =>
      fetchClipDemo({ signal, onProgress: (progress) => emit({ type: 'progress', progress }) }),
    clipLoadBase: (params) => loadClipBase(session, params),
    clipAddFinetune: (params) => addClipFinetune(session, params),
    clipAttachData: (params, context) => attachClipData(session, params, context),
    clipRemove: (params) => removeClipEntry(session, params),
    clipEvaluate: (params, context) => clipEvaluate(session, params, context),
    clipFootprint: (params) => clipFootprint(session, params),
    clipAdamerge: (params, context) => clipAdamerge(session, params, context),
  };
}
