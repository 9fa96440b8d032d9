import { openMongoStore } from '../../src/store/mongo/index.ts';
import { describeWithServers, dropDatabase } from '../helpers/ferretdb.ts';
import { run } from './service-suite.ts';

describeWithServers('mail service', (server) => {
  let databases = 0;
  run('mongo', async () => {
    const name = `stoa_mail_${++databases}`;
    const store = await openMongoStore({ url: `${server().url}/${name}`, pollIntervalMs: 50 });
    return { store, cleanup: () => dropDatabase(server().url, name) };
  }, { bigBytes: 25 * 1024 * 1024 });
});
