import { useStudio } from '../../store';
import { EmptyState } from '../../components/EmptyState';
import { CheckpointRow } from './CheckpointRow';

export function CheckpointTable() {
  const checkpoints = useStudio((s) => s.checkpoints);
  if (checkpoints.length === 0) {
    return (
      <EmptyState title="No checkpoints yet">
        Drop .safetensors files or Hugging Face model folders here, or use Open files / Open folder.
        Files are read locally; nothing is uploaded.
      </EmptyState>
    );
  }
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Loaded checkpoints">
      <table className="table table--cards" data-testid="checkpoint-table">
        <caption className="visually-hidden">
          Loaded checkpoints; choose the base model with the radio button in the first column.
        </caption>
        <thead>
          <tr>
            <th scope="col">Base</th>
            <th scope="col">Name</th>
            <th scope="col" className="num">
              Tensors
            </th>
            <th scope="col" className="num">
              Parameters
            </th>
            <th scope="col">Dtypes</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {checkpoints.map((entry) => (
            <CheckpointRow key={entry.id} entry={entry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
