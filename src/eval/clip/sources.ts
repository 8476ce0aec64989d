/**
 * A task's data as {@link TaskImages}: an ImageFolder (any DataFolder: a Node directory, a
 * dropped folder, a directory handle) or an HF datasets Parquet file (any ByteSource). The CLI
 * and the studio both come through here.
 */
import type { ByteSource, DataFolder } from '../../io';
import { imageFolderImages, readImageFolder } from '../../data';
import { openParquetImageDataset, parquetImages } from '../../data';
import type { TaskImages } from './task-images';

export async function imageFolderTask(task: string, folder: DataFolder): Promise<TaskImages> {
  const dataset = await readImageFolder(folder);
  return {
    task,
    source: folder.name,
    classNames: dataset.classNames,
    count: dataset.items.length,
    labelled: dataset.classNames !== null,
    images: () => imageFolderImages(dataset),
  };
}

/** An HF datasets Parquet file: `image` {bytes, path} (or binary) and an optional `label`. */
export async function parquetTask(task: string, source: ByteSource): Promise<TaskImages> {
  const dataset = await openParquetImageDataset(source);
  return {
    task,
    source: source.name,
    classNames: dataset.classNames,
    count: dataset.numRows,
    labelled: dataset.labelColumn !== null,
    images: () => parquetImages(dataset),
  };
}
