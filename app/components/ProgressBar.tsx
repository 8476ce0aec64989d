interface ProgressBarProps {
  label: string;
  /** Units done of total; an indeterminate bar when total is 0. */
  done: number;
  total: number;
}

export function ProgressBar({ label, done, total }: ProgressBarProps) {
  const fraction = total > 0 ? Math.min(done / total, 1) : 0;
  return (
    <div
      className={`progress ${total > 0 ? '' : 'progress--indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total > 0 ? total : undefined}
      aria-valuenow={total > 0 ? done : undefined}
    >
      <div className="progress__fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
    </div>
  );
}
