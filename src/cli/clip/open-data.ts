/** `--task <name>=<path>`: a directory is an ImageFolder, a `.parquet` file an HF datasets file. */
import { stat } from 'node:fs/promises';
import { imageFolderTask, parquetTask, type TaskImages } from '../../eval';
import { nodeDataFolder, nodeFileSource } from '../../io/node';
import { CliUsageError } from '../types';

export async function openTaskImages(task: string, path: string): Promise<TaskImages> {
  const info = await stat(path);
  if (info.isDirectory()) return imageFolderTask(task, nodeDataFolder(path));
  if (info.isFile() && path.toLowerCase().endsWith('.parquet'))
    return parquetTask(task, await nodeFileSource(path));
  throw new CliUsageError(
    `${path}: task "${task}" needs an ImageFolder directory (one subfolder per class) or a .parquet file`,
  );
}
