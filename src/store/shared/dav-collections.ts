import type { DavCollection, DavCollectionProps } from '../ports/dav-objects.ts';

/** A new collection's properties: what the caller gave, the rest empty. */
export function collectionProps(given: Partial<DavCollectionProps>): DavCollectionProps {
  return {
    displayName: given.displayName ?? null, description: given.description ?? null, timezone: given.timezone ?? null,
    color: given.color ?? null, order: given.order ?? null, components: given.components ?? [], dead: given.dead ?? {},
  };
}

/** The stored properties of a collection, without its identity. */
export function propsOf(c: DavCollection): DavCollectionProps {
  return { displayName: c.displayName, description: c.description, timezone: c.timezone, color: c.color, order: c.order, components: c.components, dead: c.dead };
}

/** Property elements (clark name → XML) with `set` applied and `remove` taken out. */
export function withProps(current: Record<string, string>, set: Record<string, string>, remove: string[]): Record<string, string> {
  const next = { ...current, ...set };
  for (const key of remove) delete next[key];
  return next;
}
