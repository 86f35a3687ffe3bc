import * as assert from "node:assert/strict";
import { ConnectionSettings, TlsOptions } from "../../provider/types";
import { ConnectAttempt, connectError, tlsPolicy } from "../../provider/sql/connection";
import { SemisyncError, engineText } from "../../provider/sql/errors";

/*
 * The connect errors' classification, on driver errors shaped as mysql2 3.26 and Node raise them
 * (lib/commands/client_handshake.js, lib/auth_plugins/server_public_key.js, node:tls). Every cause
 * that can be produced on loopback is also produced against real servers (tests/e2e/tls.test.ts);
 * a host name that does not resolve cannot: the resolver would ask the machine's DNS server.
 */

const settings = (tls?: TlsOptions, extra: Partial<ConnectionSettings> = {}): ConnectionSettings => ({
  host: "db1.example.com",
  port: 3306,
  user: "semisync",
  tls,
  connectTimeoutMs: 30_000,
  statementTimeoutMs: 60_000,
  ...extra,
});
const attempt = (tls?: TlsOptions, overTls = true): ConnectAttempt => ({ policy: tlsPolicy(tls), overTls });
const driverError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? "driver error")), fields);

describe("tlsPolicy: connection.tls as the MySQL client's --ssl-mode", () => {
  const cases: [string, TlsOptions | undefined, ReturnType<typeof tlsPolicy>][] = [
    ["no tls: preferred, unverified", undefined, { mode: "preferred", attempt: "if-offered", verifyChain: false, verifyIdentity: false }],
    ["0.1.0's stored tls: null, as no tls", null as unknown as undefined, { mode: "preferred", attempt: "if-offered", verifyChain: false, verifyIdentity: false }],
    ["preferred with a ca: checked when TLS is used", { mode: "preferred", ca: "CA" }, { mode: "preferred", attempt: "if-offered", verifyChain: true, verifyIdentity: false }],
    ["disabled", { mode: "disabled" }, { mode: "disabled", attempt: "never", verifyChain: false, verifyIdentity: false }],
    ["required", { mode: "required" }, { mode: "required", attempt: "always", verifyChain: false, verifyIdentity: false }],
    ["required with a ca", { mode: "required", ca: "CA" }, { mode: "required", attempt: "always", verifyChain: true, verifyIdentity: false }],
    ["verify-ca", { mode: "verify-ca", ca: "CA" }, { mode: "verify-ca", attempt: "always", verifyChain: true, verifyIdentity: false }],
    ["verify-identity", { mode: "verify-identity", ca: "CA" }, { mode: "verify-identity", attempt: "always", verifyChain: true, verifyIdentity: true }],
    // 0.2.0: any tls made mysql2 demand TLS and check the chain, never the host name.
    ["0.2.0's { ca }: verify-ca", { ca: "CA" }, { mode: "verify-ca", attempt: "always", verifyChain: true, verifyIdentity: false }],
    ["0.2.0's { ca, rejectUnauthorized: false }: required, unchecked", { ca: "CA", rejectUnauthorized: false }, { mode: "required", attempt: "always", verifyChain: false, verifyIdentity: false }],
    ["0.2.0's {}: verify-ca against Node's CAs", {}, { mode: "verify-ca", attempt: "always", verifyChain: true, verifyIdentity: false }],
  ];
  for (const [what, tls, policy] of cases) {
    it(what, () => assert.deepEqual(tlsPolicy(tls), policy));
  }
});

describe("connectError: each cause gets its own fix", () => {
  const fixOf = (error: SemisyncError) => error.fix ?? "";

  it("the RSA refusal without TLS names the three ways out", () => {
    const error = connectError(
      "db1:3306",
      settings({ mode: "disabled" }),
      driverError({ code: "PUBLIC_KEY_RETRIEVAL_NOT_ALLOWED", message: "Server requested authentication using caching_sha2_password …" }),
      attempt({ mode: "disabled" }, false),
    );
    assert.match(engineText(error), /^\[db1:3306\] cannot log in as 'semisync': the account uses caching_sha2_password .*connection\.tls\.mode "disabled"/);
    const fix = fixOf(error);
    assert.match(fix, /\(1\) TLS: remove connection\.tls\.mode "disabled"/);
    assert.match(fix, /\(2\) connection\.serverPublicKey/);
    assert.match(fix, /\(3\) connection\.allowPublicKeyRetrieval: true, .*substitute their own key and read the password/);
  });

  it("the RSA refusal after preferred found no TLS says to enable TLS on the server", () => {
    const error = connectError("db1:3306", settings(), driverError({ code: "PUBLIC_KEY_RETRIEVAL_NOT_ALLOWED" }), attempt(undefined, false));
    assert.match(engineText(error), /the server offers no TLS \(its have_ssl is DISABLED\), so connection\.tls\.mode "preferred" \(the default\) connected without it/);
    assert.match(fixOf(error), /\(1\) TLS: give the server a certificate/);
  });

  it("a TLS demand the server cannot meet says how to enable TLS or which mode to use", () => {
    const error = connectError("db1:3306", settings({ mode: "required" }), driverError({ code: "HANDSHAKE_NO_SSL_SUPPORT", message: "Server does not support secure connection" }), attempt({ mode: "required" }));
    assert.match(engineText(error), /connection\.tls\.mode "required" needs TLS, and the server offers none \(its have_ssl is DISABLED\)/);
    assert.match(fixOf(error), /give the server a certificate .*ssl_cert.*; or set connection\.tls\.mode to "preferred" .* or "disabled"/);
  });

  it("an unverifiable certificate: give the CA or use required", () => {
    const error = connectError("db1:3306", settings({ mode: "verify-ca" }), driverError({ code: "HANDSHAKE_SSL_ERROR", message: "self-signed certificate in certificate chain" }), attempt({ mode: "verify-ca" }));
    assert.match(engineText(error), /could not be verified against Node's bundled public CAs \(no connection\.tls\.ca is given\)/);
    assert.match(fixOf(error), /set connection\.tls\.ca to the CA certificate .*; or set connection\.tls\.mode to "required"/);
  });

  it("a certificate for another name: connect by a listed name or use verify-ca", () => {
    const message = "Hostname/IP does not match certificate's altnames: Host: db1.example.com. is not in the cert's altnames: DNS:db2";
    const error = connectError("db1:3306", settings({ mode: "verify-identity", ca: "CA" }), driverError({ code: "HANDSHAKE_SSL_ERROR", message }), attempt({ mode: "verify-identity", ca: "CA" }));
    assert.match(engineText(error), /certificate does not name db1\.example\.com/);
    assert.match(fixOf(error), /connect by a host name or address the certificate lists .*"verify-ca"/);
  });

  it("refused: nothing listens there", () => {
    const error = connectError("db1:3306", settings(), driverError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 10.0.0.5:3306" }), attempt());
    assert.match(engineText(error), /cannot connect: connect ECONNREFUSED 10\.0\.0\.5:3306 \(ECONNREFUSED\): nothing listens on port 3306 of db1\.example\.com/);
    assert.match(fixOf(error), /check the host and port \(connection\.host, connection\.port\), that the server is running, and that it listens on that address/);
  });

  it("timed out: the bound and the firewall", () => {
    const error = connectError("db1:3306", settings(), driverError({ code: "ETIMEDOUT", message: "connect ETIMEDOUT" }), attempt());
    assert.match(engineText(error), /no answer within 30000 ms/);
    assert.match(fixOf(error), /no firewall drops the traffic; `connection\.connectTimeoutMs` sets the bound/);
  });

  for (const code of ["ENOTFOUND", "EAI_AGAIN"]) {
    it(`unknown host (${code}): check the name`, () => {
      const error = connectError("db1:3306", settings(), driverError({ code, message: `getaddrinfo ${code} db1.example.com` }), attempt());
      assert.match(engineText(error), /the host name db1\.example\.com does not resolve/);
      assert.match(fixOf(error), /check connection\.host: a name your DNS or \/etc\/hosts resolves, or an IP address/);
    });
  }

  it("wrong password: check user and password", () => {
    const error = connectError("db1:3306", settings(), driverError({ errno: 1045, sqlMessage: "Access denied for user 'semisync'@'10.0.0.1' (using password: YES)" }), attempt());
    assert.match(engineText(error), /the server refused user 'semisync'/);
    assert.equal(fixOf(error), "check the user and password given in `connection` (the password is a Pulumi secret).");
  });

  it("require_secure_transport with tls disabled: drop the disabled mode", () => {
    const error = connectError(
      "db1:3306",
      settings({ mode: "disabled" }),
      driverError({ errno: 3159, sqlMessage: "Connections using insecure transport are prohibited while --require_secure_transport=ON." }),
      attempt({ mode: "disabled" }, false),
    );
    assert.match(engineText(error), /accepts only TLS connections \(require_secure_transport is ON\)/);
    assert.match(fixOf(error), /remove connection\.tls\.mode "disabled": the default "preferred" uses TLS/);
  });
});
