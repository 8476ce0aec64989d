import { Panel } from '../../components/Panel';
import { CheckpointTable } from './CheckpointTable';
import { CompatibilitySummary } from './CompatibilitySummary';
import { DropZone } from './DropZone';
import { LoadControls } from './LoadControls';
import { LoadDemoButton } from './LoadDemoButton';
import { TaskFilterField } from './TaskFilterField';
import { useCompatibilityCheck } from './useCompatibilityCheck';

export function CheckpointsPanel() {
  useCompatibilityCheck();
  return (
    <Panel
      title="Checkpoints"
      subtitle="A base model and its fine-tunes, as safetensors files or Hugging Face folders."
      className="area-checkpoints"
      actions={
        <>
          <LoadControls />
          <LoadDemoButton />
        </>
      }
    >
      <DropZone>
        <CheckpointTable />
      </DropZone>
      <div className="checkpoints__footer">
        <TaskFilterField />
        <CompatibilitySummary />
      </div>
    </Panel>
  );
}
