/**
 * The indexer against imap-core's own parser (parseMimeTree + Indexer), on CRLF messages where
 * both must agree: ENVELOPE, BODYSTRUCTURE and BODY arrays equal, and every part's bytes in
 * imap-core's tree equal to our byte range of the original.
 */
import { WELL_FORMED, mailFixture } from '../../../test/fixtures/mail/fixtures.ts';
import { indexMessage } from './index.ts';
import { bytes, crlf } from './test-helpers.ts';
import { indexer, parseMimeTree } from './vendor.ts';
import type { MimeTreeNode } from './vendor-types.d.ts';

/** imap-core's resolveContentNode (path → node of its tree), not declared for production use. */
interface Resolver {
  resolveContentNode(tree: MimeTreeNode, path: string): (MimeTreeNode & { body?: Buffer }) | false;
}

function imapCoreNode(tree: MimeTreeNode, path: string): MimeTreeNode & { body?: Buffer } {
  const node = (indexer as unknown as Resolver).resolveContentNode(tree, path);
  if (!node) throw new Error(`imap-core has no part ${path}`);
  return node;
}

/** A header block as imap-core stores it (folded lines kept), with its blank line. */
function headerText(node: MimeTreeNode): string {
  return `${node.header.join('\r\n')}\r\n\r\n`;
}

/** imap-core's full parse; its nodes also carry their body bytes (CRLF-normalised). */
function imapCoreTree(raw: Buffer): MimeTreeNode & { body?: Buffer } {
  const tree = parseMimeTree(raw);
  if (!tree) throw new Error('imap-core returned no tree');
  return tree;
}

describe('agreement with imap-core on well-formed CRLF messages', () => {
  it.each(WELL_FORMED)('%s: ENVELOPE, BODYSTRUCTURE and BODY equal imap-core’s', name => {
    const raw = mailFixture(name);
    const tree = imapCoreTree(raw);
    const ix = indexMessage(raw);
    expect(ix.envelope).toEqual(indexer.getEnvelope(tree));
    expect(ix.bodystructure).toEqual(indexer.getBodyStructure(tree));
    expect(ix.body).toEqual(indexer.getBody(tree));
  });

  // imap-core's own BODY[…] output (getContents/rebuild) is not a reference: it adds a CRLF after
  // leaf bodies and drops preambles and epilogues. Its tree holds the parts' bytes, though.
  it.each(WELL_FORMED)('%s: each leaf BODY[n], BODY[n.MIME] and BODY[n.HEADER/TEXT] equals imap-core’s part', name => {
    const raw = mailFixture(name);
    const tree = imapCoreTree(raw);
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['']?.header)).toBe(headerText(tree));
    if (!tree.childNodes) expect(bytes(raw, parts['']?.body)).toBe(tree.body?.toString('latin1'));
    for (const [path, loc] of Object.entries(parts)) {
      if (!path) continue;
      const node = imapCoreNode(tree, path);
      expect([path, bytes(raw, loc.header)]).toEqual([path, headerText(node)]);
      if (!node.childNodes) expect([path, bytes(raw, loc.body)]).toEqual([path, node.body?.toString('latin1')]);
      if (loc.message && node.message) {
        expect(bytes(raw, loc.message.header)).toBe(headerText(node.message));
        expect(loc.message.body[0] + loc.message.body[1]).toBe(loc.body[0] + loc.body[1]);
      }
    }
  });

  it('the LF-only message converted to CRLF agrees with imap-core too', () => {
    const raw = crlf(mailFixture('lf-only').toString('latin1'));
    const tree = imapCoreTree(raw);
    const ix = indexMessage(raw);
    expect(ix.bodystructure).toEqual(indexer.getBodyStructure(tree));
    expect(ix.envelope).toEqual(indexer.getEnvelope(tree));
  });
});

describe('where the indexer deliberately differs from imap-core', () => {
  it('LF-only: sizes are the stored bytes (what BODY[n] sends), not the CRLF-normalised length', () => {
    const raw = mailFixture('lf-only');
    const ours = indexMessage(raw).bodystructure as unknown[][];
    const theirs = indexer.getBodyStructure(imapCoreTree(raw)) as unknown[][];
    // "first part\ntwo lines": 20 bytes stored; imap-core counts the LF as CRLF.
    expect(ours[0]?.[6]).toBe(20);
    expect(theirs[0]?.[6]).toBe(21);
    expect(ours[0]?.[7]).toBe(theirs[0]?.[7]); // line counts agree
  });

  it('a multipart whose boundary never occurs is one text part, not an empty multipart', () => {
    const raw = mailFixture('garbage');
    const ours = indexMessage(raw).bodystructure;
    expect(ours.slice(0, 2)).toEqual(['TEXT', 'PLAIN']);
  });

  it('a non-multipart encapsulated message has a part n.1 (RFC 3501), which imap-core cannot resolve', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--b--\n');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['1.1']?.body)).toBe('inner body');
    expect(bytes(raw, parts['1.1']?.header)).toBe('Subject: inner\r\n\r\n');
    expect(parts['1.1']).toEqual(parts['1']?.message);
  });
});
