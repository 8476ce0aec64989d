/** SIMO: head and representation re-alignment of a merged dense model, and their training loop. */
export * from './fit';
export * from './realign';
export * from './table';
export * from './pool';
