import type { DavObjectInput } from '../../../src/store/ports/index.ts';
import { DavCollectionExistsError, DavCollectionNotFoundError, davContainer, UidConflictError } from '../../../src/store/ports/index.ts';
import type { BuildStore } from './helpers.ts';
import { freshStore } from './helpers.ts';

function event(uid: string, spanStart: number | null, spanEnd: number | null, text = `BEGIN:VCALENDAR\r\nUID:${uid}\r\nEND:VCALENDAR\r\n`): DavObjectInput {
  return { uid, component: 'VEVENT', spanStart, spanEnd, data: Buffer.from(text), contentType: 'text/calendar; charset=utf-8' };
}

export function run(name: string, build: BuildStore): void {
  describe(`DavObjectStore contract: ${name}`, () => {
    const current = freshStore(build);
    const dav = () => current().davObjects;

    it('creates collections per owner and kind, refuses a taken name and updates properties', async () => {
      const cal = await dav().createCollection('t:a', 'calendar', 'default', { displayName: 'Calendar', components: ['VEVENT', 'VTODO'] });
      await dav().createCollection('t:a', 'addressbook', 'default', {});
      await dav().createCollection('t:b', 'calendar', 'default', {});
      await expect(dav().createCollection('t:a', 'calendar', 'default', {})).rejects.toThrow(DavCollectionExistsError);
      expect(cal).toMatchObject({ ownerId: 't:a', kind: 'calendar', name: 'default', displayName: 'Calendar', color: null, components: ['VEVENT', 'VTODO'], dead: {} });
      expect((await dav().collections('t:a', 'calendar')).map((c) => c.id)).toEqual([cal.id]);
      const updated = await dav().updateCollection(cal.id, { color: '#ff0000', order: 3 }, { '{urn:x}note': '<x:note xmlns:x="urn:x">hi</x:note>' }, []);
      expect(updated).toMatchObject({ color: '#ff0000', order: 3, displayName: 'Calendar' });
      const again = await dav().updateCollection(cal.id, {}, {}, ['{urn:x}note']);
      expect(again.dead).toEqual({});
      expect(await dav().collection(cal.id)).toEqual(again);
      await expect(dav().updateCollection('missing', {}, {}, [])).rejects.toThrow(DavCollectionNotFoundError);
    });

    it('puts objects with their bytes, a new etag per write, and journals every change', async () => {
      const cal = await dav().createCollection('t:a', 'calendar', 'c', {});
      const bytes = Buffer.from('BEGIN:VCALENDAR\r\nX-ü:1\r\nEND:VCALENDAR\r\n');
      const first = await dav().putObject(cal.id, 'a.ics', event('a', 0, 10, bytes.toString()));
      expect(first.created).toBe(true);
      const second = await dav().putObject(cal.id, 'a.ics', event('a', 0, 20, bytes.toString()));
      expect(second.created).toBe(false);
      expect(second.object.etag).not.toBe(first.object.etag);
      const stored = await dav().object(cal.id, 'a.ics');
      expect(Buffer.from(stored!.data).equals(bytes)).toBe(true);
      expect(stored).toMatchObject({ uid: 'a', component: 'VEVENT', spanStart: 0, spanEnd: 20, etag: second.object.etag });
      expect(await dav().removeObject(cal.id, 'a.ics')).toBe(true);
      expect(await dav().removeObject(cal.id, 'a.ics')).toBe(false);
      expect(await dav().object(cal.id, 'a.ics')).toBeNull();
      const entries = await current().journal.since(davContainer(cal.id), 0, 10);
      expect(entries.map((e) => [e.op, e.item, e.modseq])).toEqual([['create', 'a.ics', 1], ['update', 'a.ics', 2], ['delete', 'a.ics', 3]]);
    });

    it('keeps one UID per collection, but the same UID may live in another collection', async () => {
      const one = await dav().createCollection('t:a', 'calendar', 'one', {});
      const two = await dav().createCollection('t:a', 'calendar', 'two', {});
      await dav().putObject(one.id, 'x.ics', event('same', null, null));
      const conflict = dav().putObject(one.id, 'y.ics', event('same', null, null));
      await expect(conflict).rejects.toThrow(UidConflictError);
      await expect(conflict).rejects.toMatchObject({ existing: 'x.ics' });
      expect(await dav().object(one.id, 'y.ics')).toBeNull();
      expect((await dav().putObject(two.id, 'y.ics', event('same', null, null))).created).toBe(true);
      // Replacing an object with a new UID frees the old one.
      await dav().putObject(one.id, 'x.ics', event('other', null, null));
      expect((await dav().putObject(one.id, 'z.ics', event('same', null, null))).created).toBe(true);
      await expect(dav().putObject('missing', 'a.ics', event('a', null, null))).rejects.toThrow(DavCollectionNotFoundError);
    });

    it('lists objects by name and by span overlap, with open spans always included', async () => {
      const cal = await dav().createCollection('t:a', 'calendar', 'c', {});
      await dav().putObject(cal.id, 'early.ics', event('early', 0, 100));
      await dav().putObject(cal.id, 'late.ics', event('late', 1000, 1100));
      await dav().putObject(cal.id, 'forever.ics', event('forever', 500, null));
      await dav().putObject(cal.id, 'undated.ics', event('undated', null, null));
      await dav().putObject(cal.id, 'todo.ics', { ...event('todo', 0, 2000), component: 'VTODO' });
      const names = async (start: number | null, end: number | null, component: string | null = null) =>
        (await dav().objectsInRange(cal.id, start, end, component)).map((o) => o.name);
      expect(await names(200, 400)).toEqual(['todo.ics', 'undated.ics']);
      expect(await names(50, 600)).toEqual(['early.ics', 'forever.ics', 'todo.ics', 'undated.ics']);
      expect(await names(100, 100)).toEqual(['early.ics', 'todo.ics', 'undated.ics']);
      expect(await names(5000, null, 'VEVENT')).toEqual(['forever.ics', 'undated.ics']);
      expect(await names(null, null, 'VTODO')).toEqual(['todo.ics']);
      expect((await dav().objects(cal.id, ['late.ics', 'nope.ics', 'early.ics'])).map((o) => o.name)).toEqual(['early.ics', 'late.ics']);
      expect((await dav().objects(cal.id, null)).length).toBe(5);
    });

    it('summarises objects without their bytes, all or by name', async () => {
      const cal = await dav().createCollection('t:a', 'calendar', 'c', {});
      const other = await dav().createCollection('t:a', 'calendar', 'd', {});
      const { object: b } = await dav().putObject(cal.id, 'b.ics', event('b', null, null, 'BEGIN:VCALENDAR\r\nX-ü:1\r\nEND:VCALENDAR\r\n'));
      const { object: a } = await dav().putObject(cal.id, 'a.ics', event('a', null, null));
      await dav().putObject(other.id, 'c.ics', event('c', null, null));
      const summary = (o: typeof a) => ({ name: o.name, etag: o.etag, contentType: o.contentType, modifiedAt: o.modifiedAt, size: o.data.length });
      expect(await dav().objectSummaries(cal.id, null)).toEqual([summary(a), summary(b)]);
      expect(await dav().objectSummaries(cal.id, ['b.ics', 'c.ics', 'b.ics'])).toEqual([summary(b)]);
      expect(await dav().objectSummaries(cal.id, [])).toEqual([]);
      expect((await dav().objectSummaries(cal.id, ['b.ics']))[0]!.size).toBe(Buffer.byteLength('BEGIN:VCALENDAR\r\nX-ü:1\r\nEND:VCALENDAR\r\n'));
      expect((await dav().objects(cal.id, ['b.ics', 'b.ics', 'c.ics'])).map((o) => o.name)).toEqual(['b.ics']);
    });

    it('removes a collection with its objects', async () => {
      const cal = await dav().createCollection('t:a', 'calendar', 'c', {});
      await dav().putObject(cal.id, 'a.ics', event('a', null, null));
      await dav().removeCollection(cal.id);
      expect(await dav().collection(cal.id)).toBeNull();
      expect(await dav().objects(cal.id, null)).toEqual([]);
      expect((await dav().createCollection('t:a', 'calendar', 'c', {})).id).not.toBe(cal.id);
    });

    it('grants, changes and revokes access, answers both directions and drops grants with the collection', async () => {
      const cal = await dav().createCollection('t:a', 'calendar', 'c', {});
      const book = await dav().createCollection('t:a', 'addressbook', 'b', {});
      const first = await dav().grant(cal.id, 't:b', 'read');
      expect(first).toMatchObject({ collectionId: cal.id, granteeId: 't:b', access: 'read' });
      const changed = await dav().grant(cal.id, 't:b', 'read-write');
      expect(changed).toEqual({ ...first, access: 'read-write' });
      await dav().grant(cal.id, 't:c', 'read');
      await dav().grant(book.id, 't:b', 'read');
      expect((await dav().grantsOf(cal.id)).map((g) => [g.granteeId, g.access])).toEqual([['t:b', 'read-write'], ['t:c', 'read']]);
      expect((await dav().grantsTo('t:b')).map((g) => g.collectionId)).toEqual([cal.id, book.id].sort());
      expect(await dav().revoke(cal.id, 't:c')).toBe(true);
      expect(await dav().revoke(cal.id, 't:c')).toBe(false);
      expect(await dav().grantsTo('t:c')).toEqual([]);
      await expect(dav().grant('missing', 't:b', 'read')).rejects.toThrow(DavCollectionNotFoundError);
      const own = await dav().setGrantProps(cal.id, 't:b', { '{DAV:}displayname': '<D:displayname xmlns:D="DAV:">Mine</D:displayname>', '{x:}y': '<y xmlns="x:"/>' }, []);
      expect(own?.props).toEqual({ '{DAV:}displayname': '<D:displayname xmlns:D="DAV:">Mine</D:displayname>', '{x:}y': '<y xmlns="x:"/>' });
      await dav().grant(cal.id, 't:b', 'read');
      await dav().setGrantProps(cal.id, 't:b', {}, ['{x:}y']);
      expect((await dav().grantsTo('t:b')).find((g) => g.collectionId === cal.id)).toMatchObject({ access: 'read', props: { '{DAV:}displayname': '<D:displayname xmlns:D="DAV:">Mine</D:displayname>' } });
      expect(await dav().setGrantProps(cal.id, 't:nobody', { '{x:}y': '<y xmlns="x:"/>' }, [])).toBeNull();
      await dav().removeCollection(cal.id);
      expect(await dav().grantsOf(cal.id)).toEqual([]);
      expect((await dav().grantsTo('t:b')).map((g) => g.collectionId)).toEqual([book.id]);
    });
  });
}
