import { AdapterBadge } from './features/environment/AdapterBadge';
import { EvalBackendBadge } from './features/environment/EvalBackendBadge';

export function Header() {
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true">
          ⋈
        </span>
        <div>
          <h1 className="brand__name">Merge Studio</h1>
          <p className="brand__tagline">Model merging in your browser. Nothing is uploaded.</p>
        </div>
      </div>
      <div className="app-header__compute">
        <AdapterBadge />
        <EvalBackendBadge />
      </div>
    </header>
  );
}
