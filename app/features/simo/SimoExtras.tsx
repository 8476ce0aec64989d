import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../components/Button';
import { downloadBlob } from '../export/download';
import { exportSimo, simoRelations } from './actions';
import { useSimo } from './store';

/** Red for a loss of ΔMTL, blue for a gain, white at 0; full at ±`scale` %. */
function cellColour(v: number, scale: number): string {
  const t = Math.min(1, Math.abs(v) / scale);
  return `hsl(${v < 0 ? 0 : 215} 75% ${Math.round(100 - 45 * t)}%)`;
}

/** The task-relationship heatmap: ΔMTL % of the merge of every pair of tasks. */
function Relations() {
  const relations = useSimo((s) => s.relations);
  if (!relations) return null;
  const scale = Math.max(1, ...relations.matrix.flat().map(Math.abs));
  return (
    <table className="table simo-heatmap" data-testid="simo-relations">
      <caption>
        Task relationship: ΔMTL % of each pairwise merge (red = the pair interferes)
      </caption>
      <thead>
        <tr>
          <th />
          {relations.tasks.map((t) => (
            <th key={t} scope="col">
              {t}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {relations.tasks.map((a, i) => (
          <tr key={a}>
            <th scope="row">{a}</th>
            {relations.matrix[i]!.map((v, j) => (
              <td
                key={j}
                className="num"
                style={{ background: cellColour(v, scale) }}
                data-testid="simo-relation"
              >
                {v.toFixed(1)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Downloads() {
  const exported = useSimo((s) => s.export);
  if (!exported) return null;
  return (
    <div className="simo-export" data-testid="simo-export">
      <span>
        {exported.row}: encoder, decoders
        {exported.row.includes('representation') ? ', adapters' : ''}
      </span>
      <Button
        size="sm"
        onClick={() => downloadBlob(new Blob([exported.bytes as BlobPart]), exported.fileName)}
      >
        Download {exported.fileName}
      </Button>
      <Button
        size="sm"
        onClick={() =>
          downloadBlob(new Blob([exported.recipeYaml], { type: 'text/yaml' }), 'simo_recipe.yml')
        }
      >
        Download SIMO recipe
      </Button>
    </div>
  );
}

/** On request: the relationship heatmap and the export of the re-aligned model. */
export function SimoExtras() {
  const { result, busy } = useSimo(useShallow((s) => ({ result: s.result, busy: s.job !== null })));
  if (!result) return null;
  return (
    <div className="simo-extras">
      <div className="simo-controls__row">
        <Button disabled={busy} onClick={() => void simoRelations()}>
          Task relationship (SIMO)
        </Button>
        <Button disabled={busy} onClick={() => void exportSimo()}>
          Export re-aligned SIMO model
        </Button>
      </div>
      <Relations />
      <Downloads />
    </div>
  );
}
