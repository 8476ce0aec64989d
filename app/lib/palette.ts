/** Okabe–Ito colours: distinguishable with colour-vision deficiencies; reused in order. */
export const SERIES_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

export const colourOf = (i: number) => SERIES_COLOURS[i % SERIES_COLOURS.length]!;
