import { describe, expect, it } from 'vitest';
import {
  checkRelativePath,
  DataFolderError,
  fileListDataFolder,
  memoryDataFolder,
} from './data-folder';

const text = async (
  p: Promise<{ size: number; read(a: number, b: number): Promise<Uint8Array> }>,
) => {
  const s = await p;
  return new TextDecoder().decode(await s.read(0, s.size));
};

describe('checkRelativePath', () => {
  it('splits safe paths and refuses escapes', () => {
    expect(checkRelativePath('f', 'a/b.png')).toEqual(['a', 'b.png']);
    for (const bad of [
      '',
      '/etc/passwd',
      'C:/x',
      '../x',
      'a/../../x',
      'a//b',
      './a',
      'a\\b',
      '.hidden/x',
    ]) {
      expect(() => checkRelativePath('f', bad), bad).toThrow(DataFolderError);
    }
  });
});

describe('fileListDataFolder', () => {
  it('keeps nested paths below the picked folder and drops hidden files', async () => {
    const mk = (path: string, body: string) => {
      const f = new File([body], path.split('/').pop()!);
      Object.defineProperty(f, 'webkitRelativePath', { value: path });
      return f;
    };
    const folder = fileListDataFolder([
      mk('mnist/7/a.png', 'seven'),
      mk('mnist/1/b.png', 'one'),
      mk('mnist/1/.DS_Store', 'x'),
      mk('mnist/.hidden/c.png', 'x'),
    ]);
    expect(folder.name).toBe('mnist');
    expect(await folder.listRecursive()).toEqual(['1/b.png', '7/a.png']);
    expect(await text(folder.open('7/a.png'))).toBe('seven');
    await expect(folder.open('1/.DS_Store')).rejects.toThrow(DataFolderError);
    await expect(folder.open('2/x.png')).rejects.toThrow('mnist/2/x.png: not in this folder');
  });
});

describe('memoryDataFolder', () => {
  it('lists sorted and opens', async () => {
    const enc = new TextEncoder();
    const folder = memoryDataFolder('m', { 'b/1.png': enc.encode('b'), 'a.png': enc.encode('a') });
    expect(await folder.listRecursive()).toEqual(['a.png', 'b/1.png']);
    expect(await text(folder.open('b/1.png'))).toBe('b');
    await expect(folder.open('../a.png')).rejects.toThrow(DataFolderError);
  });
});
