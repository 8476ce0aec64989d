import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../components/Button';
import { JobProgress } from '../../components/JobProgress';
import { Panel } from '../../components/Panel';
import { PickInput } from '../clip/PickInput';
import { cancelSimo, loadSimo } from './actions';
import { SimoControls } from './SimoControls';
import { SimoExtras } from './SimoExtras';
import { SimoPictures } from './SimoPictures';
import { SimoLossChart, SimoTable } from './SimoResults';
import { useSimo } from './store';
import './simo.css';

function PoolLine() {
  const pool = useSimo((s) => s.pool);
  if (!pool) return null;
  const s = pool.summary;
  return (
    <p
      className={`simo-note ${pool.status === 'error' ? 'simo-note--error' : ''}`}
      data-testid="simo-pool"
      data-status={pool.status}
    >
      {pool.status === 'loading' && `Loading ${pool.label}…`}
      {pool.status === 'error' && <strong role="alert">{pool.error}</strong>}
      {s &&
        `${s.name}: tasks ${s.tasks.map((t) => `${t.name} (${t.kind})`).join(', ')}; ${s.imageSize} px scenes, ${s.train} training / ${s.test} test; ${s.parameterCount.toLocaleString('en-US')} parameters a fine-tune (${s.architecture})`}
    </p>
  );
}

/**
 * "Dense multi-task (SIMO)": one image, several dense outputs. Merge the per-task fine-tuned
 * encoders, keep each decoder, re-align heads and/or representations on a few labelled
 * validation images; the ΔMTL table, the loss curves, pictures, relationship and export.
 */
export function SimoPanel() {
  const { job, note, busy, poolName } = useSimo(
    useShallow((s) => ({
      job: s.job,
      note: s.note,
      busy: s.job !== null,
      poolName: s.pool?.summary?.name ?? 'none',
    })),
  );
  return (
    <Panel
      title="Dense multi-task (SIMO)"
      subtitle="Merge per-task encoders of a dense model (segmentation, depth, normals), then re-align heads or representations on a small labelled set"
      data-testid="simo-panel"
    >
      <div className="simo-controls__row">
        <Button variant="primary" disabled={busy} onClick={() => void loadSimo({ kind: 'demo' })}>
          Load SIMO demo
        </Button>
        <PickInput
          label="Open SIMO pool folder…"
          inputLabel="SIMO pool folder"
          testId="simo-folder-input"
          kind="folder"
          disabled={busy}
          onInputs={(inputs) => inputs[0] && void loadSimo({ kind: 'files', input: inputs[0] })}
        />
      </div>
      <PoolLine />
      <SimoControls key={poolName} />
      {job && <JobProgress name="SIMO run" job={job} onCancel={cancelSimo} testId="simo-job" />}
      {note && (
        <p className="simo-note" role="status" data-testid="simo-note">
          {note}
        </p>
      )}
      <SimoLossChart />
      <SimoTable />
      <SimoPictures />
      <SimoExtras />
    </Panel>
  );
}
