import { Flavor } from "../flavors/generations";
import { Statement } from "../types";

/**
 * Restarting the IO (receiver) thread is the only way a running replica re-registers with the
 * source as semisync or asynchronous: the choice is made once per connection.
 * https://dev.mysql.com/doc/refman/8.0/en/replication-semisync-installation.html
 */
export function ioRestartStatements(flavor: Flavor): [Statement, Statement] {
  return [
    { sql: `STOP ${flavor.replicaKeyword} IO_THREAD`, purpose: "stop the replication IO thread so it reconnects", effect: { kind: "io-restart" } },
    { sql: `START ${flavor.replicaKeyword} IO_THREAD`, purpose: "start the replication IO thread again", effect: { kind: "io-restart" } },
  ];
}
