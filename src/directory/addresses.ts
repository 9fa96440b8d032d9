/** A deliberately plain check: the local part is the provider's business, the domain is ours. */
const ADDRESS = /^[^\s@"<>()[\]\\,;:]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$/;

export function normaliseAddress(input: string): string {
  return input.trim().toLowerCase();
}

/** The lower-cased domain of a well-formed address, else null. */
export function domainOf(address: string): string | null {
  const match = ADDRESS.exec(normaliseAddress(address));
  return match?.[1] ?? null;
}

export function isDomainName(name: string): boolean {
  return domainOf(`x@${name}`) === name.toLowerCase();
}
