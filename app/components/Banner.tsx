import type { ReactNode } from 'react';

interface BannerProps {
  tone: 'info' | 'warning' | 'error';
  title: string;
  children?: ReactNode;
}

/** A full-width notice; warnings and errors are announced (role=alert), info politely. */
export function Banner({ tone, title, children }: BannerProps) {
  return (
    <div className={`banner banner--${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <strong className="banner__title">{title}</strong>
      {children && <span className="banner__text">{children}</span>}
    </div>
  );
}
