import { EventEmitter } from 'node:events';
import { createSecureContext, type SecureContext } from 'node:tls';
import { loadKeyPair, type CertificateSource, type KeyPair } from './certificates.ts';

/**
 * The current certificate for every TLS listener. `reload()` (on SIGHUP) re-reads the files and
 * tells listeners, which swap their context without dropping connections.
 */
export class TlsProvider extends EventEmitter<{ reload: [KeyPair] }> {
  #source: CertificateSource;
  #pair: KeyPair;
  #context: SecureContext;

  private constructor(source: CertificateSource, pair: KeyPair) {
    super();
    this.#source = source;
    this.#pair = pair;
    this.#context = createSecureContext(pair);
  }

  static async open(source: CertificateSource): Promise<TlsProvider> {
    return new TlsProvider(source, await loadKeyPair(source));
  }

  get keyPair(): KeyPair {
    return this.#pair;
  }

  get context(): SecureContext {
    return this.#context;
  }

  /** Keeps the old pair when the new files are unreadable or do not match, and says why. */
  async reload(): Promise<void> {
    const pair = await loadKeyPair(this.#source);
    const context = createSecureContext(pair);
    this.#pair = pair;
    this.#context = context;
    this.emit('reload', pair);
  }
}
