/** Method name → definition. Adding a method is one file in methods/ and one line here. */
import { arceeFusion } from './methods/arcee_fusion';
import { breadcrumbs } from './methods/breadcrumbs';
import { cart } from './methods/cart';
import { breadcrumbsTies } from './methods/breadcrumbs_ties';
import { consensus } from './methods/consensus';
import { dareLinear } from './methods/dare_linear';
import { dareTies } from './methods/dare_ties';
import { della } from './methods/della';
import { dellaLinear } from './methods/della_linear';
import { emr } from './methods/emr';
import { isoC } from './methods/iso_c';
import { isoCts } from './methods/iso_cts';
import { karcher } from './methods/karcher';
import { linear } from './methods/linear';
import { modelStock } from './methods/model_stock';
import { multislerp } from './methods/multislerp';
import { nearswap } from './methods/nearswap';
import { nuslerp } from './methods/nuslerp';
import { passthrough } from './methods/passthrough';
import { pcb } from './methods/pcb';
import { ram } from './methods/ram';
import { ramplusTl } from './methods/ramplus_tl';
import { sce } from './methods/sce';
import { slerp } from './methods/slerp';
import { taskArithmetic } from './methods/task_arithmetic';
import { ties } from './methods/ties';
import { tsvM } from './methods/tsv_m';
import type { MethodDefinition } from './methods/types';

export const METHODS: readonly MethodDefinition[] = [
  taskArithmetic,
  ties,
  dareLinear,
  dareTies,
  breadcrumbs,
  breadcrumbsTies,
  della,
  dellaLinear,
  linear,
  slerp,
  modelStock,
  consensus,
  tsvM,
  isoC,
  isoCts,
  cart,
  pcb,
  emr,
  nuslerp,
  multislerp,
  karcher,
  sce,
  nearswap,
  arceeFusion,
  passthrough,
  ram,
  ramplusTl,
];

const byName = new Map(METHODS.map((m) => [m.name, m]));

export class UnknownMethodError extends Error {
  constructor(name: string) {
    super(
      `unknown merge method "${name}"; known methods: ${METHODS.map((m) => m.name).join(', ')}`,
    );
    this.name = 'UnknownMethodError';
  }
}

export function getMethod(name: string): MethodDefinition {
  const m = byName.get(name);
  if (!m) throw new UnknownMethodError(name);
  return m;
}

export function methodNames(): string[] {
  return METHODS.map((m) => m.name);
}
