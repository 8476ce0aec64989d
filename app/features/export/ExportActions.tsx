import { useState } from 'react';
import { useStudio } from '../../store';
import { Button } from '../../components/Button';
import { buildRecipe } from '../method/buildRecipe';
import { downloadRecipe } from './recipeDownload';

/** The form's recipe as mergekit YAML, and the link that reproduces these settings. */
export function ExportActions() {
  const hasMethod = useStudio((s) => s.methodName !== null);
  const [note, setNote] = useState('');

  const exportYaml = async () => {
    const recipe = buildRecipe(useStudio.getState());
    if (recipe) setNote(await downloadRecipe(recipe, 'The form’s recipe'));
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
        <Button
          size="sm"
          disabled={!hasMethod}
          title="The method form's current settings (the last merge's own recipe is beside its download)"
          onClick={() => void exportYaml()}
        >
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
