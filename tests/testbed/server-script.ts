/**
 * The shell script every server container runs, whatever the image: it finds the server binary,
 * initialises a datadir on first start, writes an init file that (re)creates the test users, and
 * execs the server so that `docker stop` delivers SIGTERM to it and it shuts down cleanly.
 *
 * Inputs arrive as environment variables rather than being spliced into the script, so no value
 * ever needs shell quoting. The server reads its options from `$base/my.cnf` (`--defaults-file`)
 * and, on MySQL, its `SET PERSIST` values from `mysqld-auto.cnf`, as a production server does.
 */

export interface ServerScriptEnvironment {
  port: number;
  serverId: number;
  gtid: boolean;
  adminPassword: string;
  replicationPassword: string;
  /** Extra server options, each `--name` or `--name=value`. */
  serverOptions?: string[];
}

const SERVER_OPTION = /^--[a-z0-9_-]+(=[A-Za-z0-9_.,:/+-]*)?$/;

export const SERVER_BASE_DIR = "/var/lib/semisync-testbed";

export function serverScriptEnvironment(env: ServerScriptEnvironment): Record<string, string> {
  return {
    SEMISYNC_PORT: String(env.port),
    SEMISYNC_SERVER_ID: String(env.serverId),
    SEMISYNC_GTID: env.gtid ? "1" : "0",
    SEMISYNC_ADMIN_PASSWORD: env.adminPassword,
    SEMISYNC_REPL_PASSWORD: env.replicationPassword,
    SEMISYNC_EXTRA_OPTIONS: (env.serverOptions ?? [])
      .map((option) => {
        if (!SERVER_OPTION.test(option)) throw new Error(`server option ${JSON.stringify(option)} is not of the form --name or --name=value`);
        return option;
      })
      .join(" "),
  };
}

// Kept to POSIX sh: the local images have dash, the registry images bash.
export const SERVER_START_SCRIPT = `
set -eu
export PATH="/usr/local/mysql/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
base=${SERVER_BASE_DIR}
datadir=$base/data
mkdir -p "$base"

if command -v mariadbd >/dev/null 2>&1 || command -v mariadb-install-db >/dev/null 2>&1; then
  family=mariadb
elif mysqld --version 2>/dev/null | grep -qi mariadb; then
  family=mariadb
else
  family=mysql
fi
server=$(command -v mariadbd || command -v mysqld)
echo "[testbed] family=$family server=$server"

# The marker, not the datadir, says initialisation finished: an interrupted first start leaves a
# half-built datadir behind that must be redone rather than reused.
if [ ! -f "$base/initialised" ]; then
  rm -rf "$datadir"
  if [ "$family" = mysql ]; then
    "$server" --no-defaults --initialize-insecure --datadir="$datadir" --user=root --loose-innodb-numa-interleave=OFF
  else
    installer=$(command -v mariadb-install-db || command -v mysql_install_db)
    "$installer" --no-defaults --datadir="$datadir" --user=root --skip-test-db
  fi
  touch "$base/initialised"
  echo "[testbed] datadir initialised"
else
  echo "[testbed] reusing datadir"
fi

# The init file runs at every start, hence IF NOT EXISTS; sql_log_bin=0 keeps these local
# statements out of the binlog, so replicas never see them and hold no errant GTIDs. 'admin' is
# the provider's account and nothing of the test bed logs into it: like an operator's new account,
# its first login is the provider's, with the server's password cache cold. 'testbed' is the test
# bed's own (sql-client.ts).
cat >"$base/init.sql" <<EOF
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY '$SEMISYNC_ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'testbed'@'%' IDENTIFIED BY '$SEMISYNC_ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'testbed'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '$SEMISYNC_REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
EOF
if [ "$family" = mariadb ]; then
  # mariadb-install-db creates anonymous users for localhost and the host name (global_priv: 10.4+).
  cat >>"$base/init.sql" <<EOF
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
EOF
fi

# The server reads its options from a file, as production servers do, and with it its persisted
# settings (mysqld-auto.cnf in the datadir): --no-defaults would skip both. The file is rewritten
# at every container start from the same environment, so a restart keeps every option.
cnf="$base/my.cnf"
{
  echo "[mysqld]"
  echo "datadir=$datadir"
  echo "user=root"
  echo "port=$SEMISYNC_PORT"
  echo "bind-address=127.0.0.1"
  echo "skip-name-resolve"
  echo "socket=$base/server.sock"
  echo "pid-file=$base/server.pid"
  echo "init-file=$base/init.sql"
  echo "server-id=$SEMISYNC_SERVER_ID"
  echo "log-bin=binlog"
  echo "relay-log=relay-bin"
  echo "report-host=127.0.0.1"
  echo "report-port=$SEMISYNC_PORT"
  if [ "$family" = mysql ]; then
    # Containers may not set NUMA policy; interleaving (on in Debian's build) only fills the log with warnings.
    echo "loose-mysqlx=OFF"
    echo "secure-file-priv="
    echo "loose-log-replica-updates"
    echo "loose-log-slave-updates"
    echo "loose-innodb-numa-interleave=OFF"
    if [ "$SEMISYNC_GTID" = 1 ]; then
      echo "gtid-mode=ON"
      echo "enforce-gtid-consistency=ON"
    fi
  else
    echo "log-slave-updates"
  fi
  # Validated in server-script.ts: each word is --name or --name=value, so splitting is intended.
  # shellcheck disable=SC2086
  for option in \${SEMISYNC_EXTRA_OPTIONS:-}; do
    echo "\${option#--}"
  done
} >"$cnf"
echo "[testbed] starting $server on 127.0.0.1:$SEMISYNC_PORT with $cnf"
exec "$server" --defaults-file="$cnf"
`;
