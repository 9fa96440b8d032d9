import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeWithServers } from '../helpers/ferretdb.ts';
import type { RunningServer } from '../helpers/server.ts';
import { PASSWORD, startDavServer } from './setup.ts';

/**
 * Debian's python3-caldav against the running server: discovery from /.well-known/caldav, a new
 * calendar, 500 events (50 weekly series with an EXDATE and a moved instance), time-range queries
 * checked against instances the script computes by plain date arithmetic, server-side expansion,
 * free-busy-query, and sync-collection after a change and a deletion.
 */
const SCRIPT = resolve(import.meta.dirname, 'clients/caldav_client.py');
let s: RunningServer;

/** Every test against a server started with `env`. */
function caldavClientSuites(env: () => Record<string, string>): void {
  beforeAll(async () => {
    ({ s } = await startDavServer(env()));
  }, 120_000);

  afterAll(() => s?.stop());

  interface ClientReport {
    principal: string;
    home: string;
    calendarsBefore: string[];
    calendarsAfter: string[];
    workName: string;
    queries: Array<{ range: string[]; found: string[]; expected: string[] }>;
    expanded: { found: string[]; expected: string[] };
    freebusy: { found: string[]; expected: string[] };
    firstSyncCount: number;
    delta: string[];
    deltaLoaded: string[];
    tokenMoved: boolean;
  }

  it('syncs a calendar of 500 events with python3-caldav, queries by time-range and syncs changes', async () => {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [SCRIPT, s.http, 'ann@acme.test', PASSWORD], { timeout: 400_000, maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout) as ClientReport;
    expect(report.principal).toMatch(/\/acme\/principals\/users\/[0-9a-f-]{36}\/$/);
    expect(report.home).toMatch(/\/acme\/calendar\/$/);
    expect(report.calendarsBefore).toEqual([expect.stringMatching(/\/acme\/calendar\/default\/$/)]);
    expect(report.calendarsAfter).toHaveLength(2);
    expect(report.workName).toBe('Work');
    for (const query of report.queries) {
      expect(query.expected.length).toBeGreaterThan(0);
      expect(query.found).toEqual(query.expected);
    }
    expect(report.expanded.found).toHaveLength(9);
    expect(report.expanded.found).toEqual(report.expanded.expected);
    expect(report.freebusy.expected.length).toBeGreaterThan(1);
    expect(report.freebusy.found).toEqual(report.freebusy.expected);
    expect(report.firstSyncCount).toBe(500);
    expect(report.delta).toHaveLength(2);
    expect(report.deltaLoaded).toEqual(['single-1']);
    expect(report.tokenMoved).toBe(true);
  }, 600_000);
}

describe('on the embedded store', () => caldavClientSuites(() => ({})));

describeWithServers('on MongoDB', (mongo) => caldavClientSuites(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_caldav_client` })));
