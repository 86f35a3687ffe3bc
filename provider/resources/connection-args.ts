import * as pulumi from "@pulumi/pulumi";
import { ConnectionInputs } from "../plan/inputs";
import { TlsOptions } from "../types";

/** How the provider reaches one MySQL or MariaDB server. */
export interface ConnectionArgs {
  /** Host name or address of the server. */
  host: pulumi.Input<string>;
  /** TCP port. Defaults to 3306. */
  port?: pulumi.Input<number>;
  /** Account the provider logs in as; README "Grants" lists what it needs. */
  user: pulumi.Input<string>;
  /**
   * Password of `user`. Always stored as a Pulumi secret, even when given as a plain string.
   * Defaults to no password.
   */
  password?: pulumi.Input<string>;
  /** TLS settings handed to mysql2 (`ca`, `cert`, `key`, `rejectUnauthorized`). Defaults to no TLS. */
  tls?: pulumi.Input<TlsOptions>;
  /** Bound on connecting, in milliseconds. Defaults to 30000. */
  connectTimeoutMs?: pulumi.Input<number>;
  /** Bound on each statement, in milliseconds. Defaults to 60000. */
  statementTimeoutMs?: pulumi.Input<number>;
}

/**
 * Splits the password off the connection: the connection stays readable in previews, the password
 * becomes a top-level secret, so the engine keeps it encrypted in inputs and outputs alike.
 */
export function splitConnection(connection: pulumi.Input<ConnectionArgs>): {
  connection: pulumi.Output<ConnectionInputs>;
  password: pulumi.Output<string | undefined>;
} {
  const all = pulumi.output(connection);
  return {
    connection: pulumi.unsecret(
      all.apply(({ password: _password, ...rest }) => rest as ConnectionInputs),
    ),
    password: pulumi.secret(all.apply((c) => c.password)),
  };
}
