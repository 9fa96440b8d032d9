/** Well-formedness by Debian's xmllint (libxml2-utils), independent of our own parser. */
import { spawnSync } from 'node:child_process';

export function expectWellFormed(document: string): void {
  const result = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: document, encoding: 'utf8' });
  if (result.error) throw new Error(`xmllint is needed for these tests (apt-get install libxml2-utils): ${result.error.message}`);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
}

/** xmllint must refuse a document, so the check above can tell. */
export function expectMalformed(document: string): void {
  const result = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: document, encoding: 'utf8' });
  if (result.error) throw new Error(`xmllint is needed for these tests (apt-get install libxml2-utils): ${result.error.message}`);
  expect(result.status).not.toBe(0);
}
