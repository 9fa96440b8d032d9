/**
 * Loads the parts of imap-core and libmime the indexer uses. CommonJS, so through createRequire;
 * DISABLE_WILD_CONFIG must be set before anything from `@zone-eu/wildduck` loads, or wild-config
 * reads ./config and process.argv (docs/notes/imap-core.md §1). Only deep `imap-core/lib/indexer`
 * paths are loaded: never the package root, which starts WildDuck.
 */
import { createRequire } from 'node:module';
import type { IndexerClass, IndexerInstance, Libmime, LibmimeCharset, ParseMimeTree } from './vendor-types.d.ts';

process.env.DISABLE_WILD_CONFIG ??= 'true';

const require = createRequire(import.meta.url);
const INDEXER = '@zone-eu/wildduck/imap-core/lib/indexer';

export const parseMimeTree = require(`${INDEXER}/parse-mime-tree.js`) as ParseMimeTree;
const Indexer = require(`${INDEXER}/indexer.js`) as IndexerClass;
export const indexer: IndexerInstance = new Indexer();
export const libmime = require('libmime') as Libmime;
export const charset = require('libmime/lib/charset.js') as LibmimeCharset;
