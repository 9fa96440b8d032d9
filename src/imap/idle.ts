/**
 * imap-core's IDLE keeps a 30-minute timer that server.close() neither clears nor unrefs, so an
 * open IDLE keeps the process alive after shutdown (docs/notes/imap-core.md §1). This replaces the
 * command module's handler (modules are shared, mutable objects, §5) with the same logic plus an
 * unref'd timer that is cleared when the connection closes.
 */
import { createRequire } from 'node:module';
import './imap-core.ts';

interface IdleConnection {
  _server: { options: { idleTimeout?: number }; onIdleStart?: (m: unknown, s: unknown) => void; onIdleEnd?: (m: unknown, s: unknown) => void };
  selected?: { mailbox: unknown } | null;
  session: unknown;
  idling: boolean;
  _nextHandler: ((token: string, next: () => void) => void) | false;
  send(line: string): void;
  close(): void;
  emitNotifications(): void;
  once(event: 'close', fn: () => void): void;
}

type Done = (err: Error | null, res?: { response: string; message: string }) => void;

const require = createRequire(import.meta.url);
const idle = require('@zone-eu/wildduck/imap-core/lib/commands/idle.js') as { handler: (this: IdleConnection, c: unknown, cb: Done, next: () => void) => void };

const DEFAULT_IDLE_MS = 30 * 60 * 1000;

idle.handler = function (this: IdleConnection, _command, callback, next) {
  const end = () => this._server.onIdleEnd?.(this.selected?.mailbox, this.session);
  const timer = setTimeout(() => {
    end();
    this.send('* BYE IDLE terminated');
    setImmediate(() => this.close());
  }, this._server.options.idleTimeout || DEFAULT_IDLE_MS);
  timer.unref();
  this.once('close', () => clearTimeout(timer));

  this._nextHandler = (token, nextLine) => {
    this._nextHandler = false;
    this.idling = false;
    clearTimeout(timer);
    nextLine();
    end();
    if (token.toUpperCase().trim() !== 'DONE') return callback(new Error(`Invalid Idle continuation (${JSON.stringify(token)})`));
    callback(null, { response: 'OK', message: 'IDLE terminated' });
  };
  this.idling = true;
  this.send('+ idling');
  this.emitNotifications();
  this._server.onIdleStart?.(this.selected?.mailbox, this.session);
  return next();
};
