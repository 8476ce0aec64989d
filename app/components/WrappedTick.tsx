import { wrapLabel } from '../lib/wrapLabel';

/** What recharts hands a custom category tick (the fields used here). */
interface TickProps {
  x?: number;
  y?: number;
  payload?: { value?: unknown };
  /** The axis's width and how many ticks share it: the room one label has. */
  width?: number;
  visibleTicksCount?: number;
}

const CHAR_WIDTH = 6.2; // px per character at 11 px, a conservative average

/**
 * A category-axis label that wraps into two lines and is cut with "…" beyond, so long task
 * names never print over each other; the full name is the label's tooltip.
 */
export function WrappedTick({ x = 0, y = 0, payload, width, visibleTicksCount }: TickProps) {
  const text = String(payload?.value ?? '');
  const band = width && visibleTicksCount ? width / visibleTicksCount : 90;
  const lines = wrapLabel(text, (band - 6) / CHAR_WIDTH);
  return (
    <g transform={`translate(${x},${y})`} className="wrapped-tick">
      <title>{text}</title>
      <text textAnchor="middle" fontSize={11} fill="currentColor" dy={10}>
        {lines.map((line, i) => (
          <tspan key={i} x={0} dy={i === 0 ? 0 : 13}>
            {line}
          </tspan>
        ))}
      </text>
    </g>
  );
}
