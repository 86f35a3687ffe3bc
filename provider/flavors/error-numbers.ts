/**
 * Server error numbers the provider acts on. MySQL numbers come from
 * https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html (the same table
 * mysql2 generates lib/constants/errors.js from); MariaDB-only numbers from
 * https://mariadb.com/kb/en/mariadb-error-codes/.
 */
export const ER = {
  ACCESS_DENIED: 1045,
  TABLEACCESS_DENIED: 1142,
  UDF_NO_PATHS: 1124,
  UDF_EXISTS: 1125,
  CANT_OPEN_LIBRARY: 1126,
  CANT_FIND_DL_ENTRY: 1127,
  UNKNOWN_SYSTEM_VARIABLE: 1193,
  SPECIFIC_ACCESS_DENIED: 1227,
  WRONG_VALUE_FOR_VAR: 1231,
  WRONG_TYPE_FOR_VAR: 1232,
  /** ER_LOCK_WAIT_TIMEOUT, "Lock wait timeout exceeded; try restarting transaction": also a metadata lock waited out past `lock_wait_timeout` (MariaDB: the same number). */
  LOCK_WAIT_TIMEOUT: 1205,
  SP_DOES_NOT_EXIST: 1305,
  /** ER_OPTION_PREVENTS_STATEMENT, "The MySQL server is running with the %s option so it cannot execute this statement" (MariaDB: the same number). */
  OPTION_PREVENTS_STATEMENT: 1290,
  QUERY_INTERRUPTED: 1317,
  PLUGIN_CANNOT_BE_UNINSTALLED: 1883,
  INSTALL_PLUGIN_CONFLICT_CLIENT: 4045,
  SECURE_TRANSPORT_REQUIRED: 3159,
  /**
   * Client error CR_AUTH_PLUGIN_ERR, "Authentication plugin '%s' reported error: %s" (client error
   * reference, https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html; the same
   * number in include/errmsg.h and MariaDB Connector/C's errmsg.h): e.g. a
   * replication channel whose caching_sha2_password user needs TLS or the source's public key.
   */
  CR_AUTH_PLUGIN_ERR: 2061,
  /** MariaDB: "Plugin '%s' already installed". */
  MARIADB_PLUGIN_INSTALLED: 1968,
} as const;
