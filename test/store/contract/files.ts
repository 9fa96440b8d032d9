import { Readable } from 'node:stream';
import type { BlobInfo, Store } from '../../../src/store/ports/index.ts';
import { DriveFullError, FileExistsError, FileNotFoundError, filesContainer } from '../../../src/store/ports/index.ts';
import type { BuildStore } from './helpers.ts';
import { freshStore } from './helpers.ts';

async function blob(store: Store, text: string): Promise<BlobInfo> {
  return store.blobs.put(Readable.from([Buffer.from(text)]));
}

export function run(name: string, build: BuildStore): void {
  describe(`FilesStore contract: ${name}`, () => {
    const current = freshStore(build);
    const files = () => current().files;

    it('creates a root once per drive and keeps drives apart', async () => {
      const a = await files().root('t:user:a');
      expect(await files().root('t:user:a')).toEqual(a);
      const b = await files().root('t:user:b');
      expect(b.id).not.toBe(a.id);
      expect(a).toMatchObject({ kind: 'dir', parentId: null, driveId: 't:user:a' });
      await files().mkdir(a.id, 'docs');
      expect(await files().children(b.id)).toEqual([]);
      expect((await files().children(a.id)).map((n) => n.name)).toEqual(['docs']);
    });

    it('puts a file, replaces it in one step with a new etag, and keeps usage', async () => {
      const root = await files().root('d');
      const first = await files().putFile(root.id, 'a.txt', await blob(current(), 'hello'), 'text/plain', null);
      expect(first.created).toBe(true);
      expect(first.node).toMatchObject({ name: 'a.txt', kind: 'file', size: 5, contentType: 'text/plain' });
      const second = await files().putFile(root.id, 'a.txt', await blob(current(), 'hello world'), 'text/plain', null);
      expect(second.created).toBe(false);
      expect(second.node.id).toBe(first.node.id);
      expect(second.node.etag).not.toBe(first.node.etag);
      expect(await files().usage('d')).toBe(11);
      expect(await files().child(root.id, 'a.txt')).toMatchObject({ size: 11, blob: second.node.blob });
      expect(await files().isBlobReferenced(second.node.blob!)).toBe(true);
      expect(await files().isBlobReferenced(first.node.blob!)).toBe(false);
    });

    it('refuses a write over quota and leaves the old file and usage as they were', async () => {
      const root = await files().root('q');
      const { node } = await files().putFile(root.id, 'f', await blob(current(), '12345'), null, 8);
      await expect(files().putFile(root.id, 'f', await blob(current(), '123456789'), null, 8)).rejects.toBeInstanceOf(DriveFullError);
      await expect(files().putFile(root.id, 'g', await blob(current(), '1234'), null, 8)).rejects.toBeInstanceOf(DriveFullError);
      expect(await files().child(root.id, 'f')).toMatchObject({ blob: node.blob, size: 5 });
      expect(await files().child(root.id, 'g')).toBeNull();
      expect(await files().usage('q')).toBe(5);
    });

    it('refuses names that exist and parents that do not', async () => {
      const root = await files().root('n');
      const dir = await files().mkdir(root.id, 'dir');
      await expect(files().mkdir(root.id, 'dir')).rejects.toBeInstanceOf(FileExistsError);
      await expect(files().putFile(root.id, 'dir', await blob(current(), 'x'), null, null)).rejects.toBeInstanceOf(FileExistsError);
      await files().remove(dir.id);
      await expect(files().mkdir(dir.id, 'sub')).rejects.toBeInstanceOf(FileNotFoundError);
    });

    it('copies and moves subtrees, and removes them with their bytes', async () => {
      const root = await files().root('c');
      const dir = await files().mkdir(root.id, 'dir');
      const sub = await files().mkdir(dir.id, 'sub');
      await files().putFile(sub.id, 'x', await blob(current(), 'xxx'), null, null);
      await files().putFile(dir.id, 'y', await blob(current(), 'yy'), null, null);
      const deep = await files().copy(dir.id, root.id, 'copy', true, null);
      const shallow = await files().copy(dir.id, root.id, 'shallow', false, null);
      expect((await files().children(deep.id)).map((n) => n.name)).toEqual(['sub', 'y']);
      expect(await files().children(shallow.id)).toEqual([]);
      const copiedSub = await files().child(deep.id, 'sub');
      expect((await files().children(copiedSub!.id)).map((n) => n.name)).toEqual(['x']);
      expect(await files().usage('c')).toBe(10);
      await expect(files().copy(dir.id, sub.id, 'loop', true, null)).rejects.toBeInstanceOf(FileExistsError);
      const moved = await files().move(dir.id, root.id, 'renamed');
      expect(moved.id).toBe(dir.id);
      expect(await files().child(root.id, 'dir')).toBeNull();
      expect((await files().child(root.id, 'renamed'))?.id).toBe(dir.id);
      await expect(files().move(dir.id, sub.id, 'inside')).rejects.toBeInstanceOf(FileExistsError);
      await files().remove(deep.id);
      expect(await files().get(copiedSub!.id)).toBeNull();
      expect(await files().usage('c')).toBe(5);
    });

    it('keeps dead properties through set and remove', async () => {
      const root = await files().root('p');
      const { node } = await files().putFile(root.id, 'f', await blob(current(), 'x'), null, null);
      await files().setProps(node.id, { '{urn:a}one': '<one xmlns="urn:a">1</one>', '{urn:a}two': '<two xmlns="urn:a"/>' }, []);
      const after = await files().setProps(node.id, { '{urn:a}three': '<three xmlns="urn:a"/>' }, ['{urn:a}one']);
      expect(Object.keys(after.props).sort()).toEqual(['{urn:a}three', '{urn:a}two']);
      expect((await files().get(node.id))?.props).toEqual(after.props);
    });

    it('journals every change to a directory\'s members', async () => {
      const root = await files().root('j');
      const container = filesContainer(root.id);
      const before = await current().journal.head(container);
      const { node } = await files().putFile(root.id, 'a', await blob(current(), 'x'), null, null);
      await files().putFile(root.id, 'a', await blob(current(), 'y'), null, null);
      const dir = await files().mkdir(root.id, 'd');
      await files().move(node.id, dir.id, 'b');
      const entries = await current().journal.since(container, before, 100);
      expect(entries.map((e) => [e.op, e.item])).toEqual([['create', 'a'], ['update', 'a'], ['create', 'd'], ['delete', 'a']]);
      expect((await current().journal.since(filesContainer(dir.id), 0, 10)).map((e) => [e.op, e.item])).toEqual([['create', 'b']]);
    });
  });
}
