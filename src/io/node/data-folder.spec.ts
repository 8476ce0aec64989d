import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFolderError } from '../data-folder';
import { nodeDataFolder } from './data-folder';

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'data-folder-'));
  root = join(base, 'task');
  await mkdir(join(root, 'cat'), { recursive: true });
  await mkdir(join(root, 'dog', 'deep'), { recursive: true });
  await mkdir(join(root, '.git'));
  await writeFile(join(root, 'cat', '1.png'), 'c1');
  await writeFile(join(root, 'cat', '.DS_Store'), 'x');
  await writeFile(join(root, 'dog', 'deep', '2.jpg'), 'd2');
  await writeFile(join(root, '.git', 'HEAD'), 'ref');
  await writeFile(join(root, 'top.png'), 'top');
  await writeFile(join(base, 'secret.txt'), 'secret');
  await mkdir(join(base, 'outside-dir'));
  await writeFile(join(base, 'outside-dir', 'o.png'), 'o');
  await symlink(join(root, 'cat', '1.png'), join(root, 'inside-link.png'));
  await symlink(join(base, 'secret.txt'), join(root, 'cat', 'escape.png'));
  await symlink(join(base, 'outside-dir'), join(root, 'escape-dir'));
  await symlink(join(root, 'dog'), join(root, 'dog', 'deep', 'loop'));
  await symlink(join(base, 'missing'), join(root, 'dangling.png'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('nodeDataFolder', () => {
  it('lists regular, non-hidden files recursively, following only links inside the root', async () => {
    const folder = nodeDataFolder(root);
    expect(folder.name).toBe('task');
    const list = await folder.listRecursive();
    expect(list).toContain('cat/1.png');
    expect(list).toContain('dog/deep/2.jpg');
    expect(list).toContain('top.png');
    expect(list).toContain('inside-link.png');
    // The in-root loop dog/deep/loop -> dog is walked once, not forever.
    expect(list.filter((p) => p.endsWith('2.jpg')).length).toBeLessThanOrEqual(2);
    for (const p of list) {
      expect(p).not.toMatch(/(^|\/)\./);
      expect(p).not.toMatch(/escape|dangling/);
    }
  });

  it('opens files by relative path', async () => {
    const folder = nodeDataFolder(root);
    const src = await folder.open('dog/deep/2.jpg');
    expect(new TextDecoder().decode(await src.read(0, src.size))).toBe('d2');
    const link = await folder.open('inside-link.png');
    expect(new TextDecoder().decode(await link.read(0, link.size))).toBe('c1');
  });

  it('refuses paths and links that leave the root, hidden files and folders', async () => {
    const folder = nodeDataFolder(root);
    for (const bad of [
      '../secret.txt',
      'cat/../../secret.txt',
      join(base, 'secret.txt'),
      'cat/escape.png',
      'escape-dir/o.png',
      '.git/HEAD',
      'cat/.DS_Store',
      'cat\\..\\..\\secret.txt',
      'cat',
      'dangling.png',
    ]) {
      await expect(folder.open(bad), bad).rejects.toBeInstanceOf(DataFolderError);
    }
    await expect(folder.open('../secret.txt')).rejects.toThrow('task/../secret.txt');
  });
});
