/**
 * Loads imap-core (docs/notes/imap-core.md §1): DISABLE_WILD_CONFIG must be set before anything
 * from `@zone-eu/wildduck` loads, or wild-config reads ./config and process.argv; only
 * `imap-core/index.js`, never the package root (which starts WildDuck). CommonJS, hence createRequire.
 */
import { createRequire } from 'node:module';
import type { ImapCoreModule } from './imap-core-types.d.ts';

process.env.DISABLE_WILD_CONFIG ??= 'true';

const require = createRequire(import.meta.url);
const core = require('@zone-eu/wildduck/imap-core/index.js') as ImapCoreModule;

export const { IMAPServer, imapHandler } = core;
export type * from './imap-core-types.d.ts';
