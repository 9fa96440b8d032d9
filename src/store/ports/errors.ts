/** Errors every adapter throws in the same shape, so services and fronts never see a driver error. */

/** A unique value (an address, a userName, an externalId, a slug) is already taken. */
export class ConflictError extends Error {
  readonly field: string;
  constructor(field: string, message = `${field} is already taken`) {
    super(message);
    this.name = 'ConflictError';
    this.field = field;
  }
}

/** The record changed since the caller read it (optimistic concurrency on `version`). */
export class VersionConflictError extends Error {
  constructor(message = 'the record was changed by someone else') {
    super(message);
    this.name = 'VersionConflictError';
  }
}

/** The store cannot be reached for now; the caller should answer with a temporary failure. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
