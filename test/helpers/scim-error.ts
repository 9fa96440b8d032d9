import { ScimError } from '../../src/scim/errors.ts';

/** The ScimError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('expected a ScimError');
}
