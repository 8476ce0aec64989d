import { charBudget, wrapLabel } from '../lib/wrapLabel';

/** What recharts hands a custom category tick (the fields used here). */
interface TickProps {
  x?: number;
  y?: number;
  payload?: { value?: unknown };
  /** The axis's width and how many ticks share it: the room one label has. */
  width?: number;
  visibleTicksCount?: number;
}

const FONT_PX = 11;
const CHAR_WIDTH = 6.2; // px per character at 11 px, when the page cannot measure

let context: CanvasRenderingContext2D | null | undefined;

/** A label's width in px at the tick's font (the page's own font family, measured). */
function measure(text: string): number {
  if (context === undefined) {
    context = document.createElement('canvas').getContext('2d');
    if (context) context.font = `${FONT_PX}px ${getComputedStyle(document.body).fontFamily}`;
  }
  return context ? context.measureText(text).width : text.length * CHAR_WIDTH;
}

/**
 * A category-axis label that wraps into two lines and is cut with "…" beyond, so long task
 * names never print over each other; the full name is the label's tooltip.
 */
export function WrappedTick({ x = 0, y = 0, payload, width, visibleTicksCount }: TickProps) {
  const text = String(payload?.value ?? '');
  const band = width && visibleTicksCount ? width / visibleTicksCount : 90;
  const lines = wrapLabel(text, charBudget(text, band - 6, measure));
  return (
    <g transform={`translate(${x},${y})`} className="wrapped-tick">
      <title>{text}</title>
      {/* Each line's dy is its own (a tspan's dy replaces its text's): the first line's
          baseline one line below the axis, so the name never sits on the axis line. */}
      <text textAnchor="middle" fontSize={FONT_PX} fill="currentColor">
        {lines.map((line, i) => (
          <tspan key={i} x={0} dy={i === 0 ? 12 : 13}>
            {line}
          </tspan>
        ))}
      </text>
    </g>
  );
}
