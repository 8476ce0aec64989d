import { useId, type HTMLAttributes, type ReactNode } from 'react';

interface PanelProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  title: string;
  /** Short line under the title explaining what the panel is for. */
  subtitle?: string;
  /** Buttons shown on the right of the title bar. */
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** A titled region of the studio; the title labels the region for screen readers. */
export function Panel({ title, subtitle, actions, className, children, ...rest }: PanelProps) {
  const headingId = useId();
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={headingId} {...rest}>
      <header className="panel__header">
        <div>
          <h2 id={headingId} className="panel__title">
            {title}
          </h2>
          {subtitle && <p className="panel__subtitle">{subtitle}</p>}
        </div>
        {actions && <div className="panel__actions">{actions}</div>}
      </header>
      <div className="panel__body">{children}</div>
    </section>
  );
}
