import { useEffect } from 'react';
import { Header } from './Header';
import { GpuBanner } from './features/environment/GpuBanner';
import { probeCapabilities } from './features/environment/probeCapabilities';
import { startShareSync } from './features/export/shareSync';
import { CheckpointsPanel } from './features/checkpoints/CheckpointsPanel';
import { MethodPanel } from './features/method/MethodPanel';
import { RunPanel } from './features/run/RunPanel';
import { ResultsPanel } from './features/results/ResultsPanel';
import { AdaMergingPanel } from './features/adamerging/AdaMergingPanel';
import { AnalysisPanel } from './features/analysis/AnalysisPanel';
import { SweepPanel } from './features/sweep/SweepPanel';
import { autoLoadDemo } from './features/checkpoints/autoLoadDemo';
import { ClipPanel } from './features/clip/ClipPanel';
import { SimoPanel } from './features/simo/SimoPanel';

export function App() {
  useEffect(() => {
    void probeCapabilities();
  }, []);
  useEffect(() => startShareSync(), []);
  useEffect(() => autoLoadDemo(), []);
  return (
    <div className="app">
      <a className="skip-link" href="#workspace">
        Skip to the studio
      </a>
      <Header />
      <GpuBanner />
      <main id="workspace" className="workspace">
        <div className="workspace__main">
          <CheckpointsPanel />
          <ResultsPanel />
          <AdaMergingPanel />
          <AnalysisPanel />
          <SweepPanel />
          <ClipPanel />
          <SimoPanel />
        </div>
        <div className="workspace__side">
          <MethodPanel />
          <RunPanel />
        </div>
      </main>
    </div>
  );
}
