import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

// No Docker engine runs here: .ci/run runs `docker compose config` where the client exists; this
// checks what the deployment relies on.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };

  test('a MongoDB replica set that the compose file initialises itself', () => {
    const mongo = compose.services.mongo!;
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(mongo.healthcheck?.test.join(' ')).toContain('rs.initiate');
  });

  test('two Stoa services share it, each with its own data volume, after it is healthy', () => {
    const stoa = ['stoa-a', 'stoa-b'].map((name) => compose.services[name]!);
    for (const service of stoa) {
      expect(service.build).toBe('.');
      expect(service.environment?.STOA_STORE_URL).toMatch(/^mongodb:\/\/mongo:27017\/stoa\?replicaSet=rs0$/);
      expect(service.depends_on?.mongo?.condition).toBe('service_healthy');
    }
    expect(stoa[0]!.volumes).not.toEqual(stoa[1]!.volumes);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');

  test('multi-stage on Node 24, non-root, health-checked, data directory as a volume', () => {
    expect(dockerfile.match(/^FROM node:24/gm)?.length).toBe(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/var\/lib\/stoa"\]$/m);
    expect(dockerfile).toMatch(/STOA_STORE_DATADIR=\/var\/lib\/stoa/);
  });
});
