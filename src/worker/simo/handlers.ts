/** The SIMO panel's handlers, each given the StudioSession (its `simo` state). */
import type { Handlers } from '../serve';
import type { StudioSession } from '../session';
import type { SimoMethods } from './protocol';
import { simoLoad } from './load';
import { simoPause, simoRelations, simoRun } from './run';
import { simoPictures } from './pictures';
import { simoExport } from './export';

export function simoHandlers(session: StudioSession): Pick<Handlers, keyof SimoMethods> {
  return {
    simoLoad: (params, context) => simoLoad(session, params, context),
    simoRun: (params, context) => simoRun(session, params, context),
    simoPause: async (params) => simoPause(session, params),
    simoPictures: (params) => simoPictures(session, params),
    simoRelations: (params, context) => simoRelations(session, params, context),
    simoExport: () => simoExport(session),
  };
}
