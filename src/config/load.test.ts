import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load.ts';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'stoa-config-'));

describe('loadConfig', () => {
  test('the shipped config file holds exactly the defaults', () => {
    const shipped = loadConfig({}, process.cwd());
    const defaults = loadConfig({}, emptyDir());
    expect(shipped).toEqual(defaults);
    expect(defaults.imap.port).toBe(9993);
    expect(defaults.store.url).toBe('');
  });

  test('STOA_<SECTION>_<KEY> overrides the file', () => {
    const cfg = loadConfig({ STOA_IMAP_PORT: '1993', STOA_IMAP_STARTTLS_PORT: '0', STOA_SERVER_HOSTNAME: 'mail.example.org', STOA_LMTP_TRUSTED_PEERS: '10.0.0.1, 10.0.0.2' }, process.cwd());
    expect(cfg.imap.port).toBe(1993);
    expect(cfg.imap.starttls_port).toBe(0);
    expect(cfg.server.hostname).toBe('mail.example.org');
    expect(cfg.lmtp.trusted_peers).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  test('a wrong value names the key and the variable', () => {
    expect(() => loadConfig({ STOA_HTTP_PORT: 'abc' }, emptyDir())).toThrow(/STOA_HTTP_PORT/);
    expect(() => loadConfig({ STOA_HTTP_PORT: '70000' }, emptyDir())).toThrow(/http\.port \(from STOA_HTTP_PORT\)/);
    expect(() => loadConfig({ STOA_LOG_LEVEL: 'loud' }, emptyDir())).toThrow(ConfigError);
  });

  test('unknown keys and bad YAML in the file are refused with the file name', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'a.yaml'), 'imap:\n  prot: 1\n');
    expect(() => loadConfig({ STOA_CONFIG: 'a.yaml' }, dir)).toThrow(/imap\.prot/);
    writeFileSync(join(dir, 'b.yaml'), 'imap: [\n');
    expect(() => loadConfig({ STOA_CONFIG: 'b.yaml' }, dir)).toThrow(/not valid YAML/);
    writeFileSync(join(dir, 'c.yaml'), 'http:\n  port: "x"\n');
    expect(() => loadConfig({ STOA_CONFIG: 'c.yaml' }, dir)).toThrow(/config http\.port/);
    expect(() => loadConfig({ STOA_CONFIG: 'missing.yaml' }, dir)).toThrow(/cannot read/);
  });
});
