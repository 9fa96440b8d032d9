import { MongoClient } from 'mongodb';
import { openMongoStore } from '../../src/store/mongo/index.ts';
import { describeWithServers } from '../helpers/ferretdb.ts';
import { run } from './service-suite.ts';

describeWithServers('mail service', (server) => {
  let databases = 0;
  run('mongo', async () => {
    const name = `stoa_mail_${++databases}`;
    const store = await openMongoStore({ url: `${server().url}/${name}`, pollIntervalMs: 50 });
    return { store, cleanup: () => dropDatabase(server().url, name) };
  }, { bigBytes: 25 * 1024 * 1024 });
});

async function dropDatabase(url: string, name: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}
