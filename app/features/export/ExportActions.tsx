import { useState } from 'react';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { studio } from '../../services/studio';
import { buildRecipe } from '../method/buildRecipe';
import { downloadBlob } from './download';

/** The recipe as mergekit YAML, and the link that reproduces these settings. */
export function ExportActions() {
  const hasMethod = useStudio((s) => s.methodName !== null);
  const [note, setNote] = useState('');

  const exportYaml = async () => {
    const recipe = buildRecipe(useStudio.getState());
    if (!recipe) return;
    try {
      const { yaml } = await studio().call('recipeYaml', { recipe });
      downloadBlob(new Blob([yaml], { type: 'application/yaml' }), 'merge_recipe.yml');
      setNote('Recipe saved as merge_recipe.yml.');
    } catch (error) {
      setNote(`The recipe could not be written: ${error instanceof Error ? error.message : error}`);
    }
  };
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setNote('Link copied: it reproduces these settings (not the files).');
    } catch {
      setNote('Copy the address bar: it holds these settings.');
    }
  };

  return (
    <div className="export">
      <div className="export__buttons">
        <Button size="sm" disabled={!hasMethod} onClick={() => void exportYaml()}>
          Recipe (YAML)
        </Button>
        <Button size="sm" disabled={!hasMethod} onClick={() => void copyLink()}>
          Copy share link
        </Button>
      </div>
      <p className="muted export__note" role="status" aria-live="polite">
        {note}
      </p>
    </div>
  );
}
