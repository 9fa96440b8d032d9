import { openMongoStore } from '../../src/store/mongo/index.ts';
import { describeWithServers, dropDatabase } from '../helpers/ferretdb.ts';
import * as blob from './contract/blob.ts';
import * as davObjects from './contract/dav-objects.ts';
import * as directory from './contract/directory.ts';
import * as files from './contract/files.ts';
import type { BuildStore } from './contract/helpers.ts';
import * as journal from './contract/journal.ts';
import * as keyValue from './contract/key-value.ts';
import * as mail from './contract/mail.ts';
import * as queue from './contract/queue.ts';

describeWithServers('mongo store contract', (server) => {
  let databases = 0;
  // One server per file; every test gets a database of its own, dropped afterwards.
  const mongo: BuildStore = async () => {
    const name = `stoa_contract_${++databases}`;
    const store = await openMongoStore({ url: `${server().url}/${name}`, pollIntervalMs: 50 });
    return { store, cleanup: () => dropDatabase(server().url, name) };
  };

  directory.run('mongo', mongo);
  journal.run('mongo', mongo);
  keyValue.run('mongo', mongo);
  blob.run('mongo', mongo);
  mail.run('mongo', mongo);
  files.run('mongo', mongo);
  queue.run('mongo', mongo);
  davObjects.run('mongo', mongo);
});
