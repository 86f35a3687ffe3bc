import * as semver from "semver";
import { ResolvedTerminology, Terminology } from "../types";
import { Family, Flavor, GENERATIONS } from "./generations";

/** What a server says about itself; the only input to flavor detection. */
export interface ServerIdentity {
  /** `@@version`, e.g. `9.7.4` or `10.11.19-MariaDB-0+deb12u1-log`. */
  version: string;
  /** `@@version_comment`; MariaDB builds that hide the suffix still say MariaDB here. */
  versionComment?: string;
}

export interface DetectedServer {
  flavor: Flavor;
  family: Family;
  /** Plain `X.Y.Z`. */
  version: string;
}

/** The server is too old, or unreadable, or lacks what was pinned. (A factory: see `semisyncError`.) */
export function unsupportedServerError(message: string): Error {
  const error = new Error(message);
  error.name = "UnsupportedServerError";
  return error;
}

export function isUnsupportedServerError(error: unknown): boolean {
  return error instanceof Error && error.name === "UnsupportedServerError";
}

export function detectFlavor(identity: ServerIdentity): DetectedServer {
  const family: Family = /mariadb/i.test(`${identity.version} ${identity.versionComment ?? ""}`) ? "mariadb" : "mysql";
  const parsed = semver.coerce(identity.version);
  if (!parsed) {
    throw unsupportedServerError(`cannot read a version number from @@version '${identity.version}'`);
  }
  const version = parsed.version;
  const candidates = GENERATIONS.filter((f) => f.family === family && semver.gte(version, f.since));
  const flavor = candidates[candidates.length - 1];
  if (!flavor) {
    const oldest = GENERATIONS.find((f) => f.family === family)!;
    throw unsupportedServerError(`${family === "mysql" ? "MySQL" : "MariaDB"} ${version} is older than the oldest supported release ${oldest.since}; upgrade the server`);
  }
  return { flavor, family, version };
}

/**
 * The terminology to use on a server. `automatic` prefers what is already installed, then the
 * generation's preferred names; a pinned one must be shipped by the server.
 */
export function resolveTerminology(requested: Terminology, flavor: Flavor, installed?: ResolvedTerminology): ResolvedTerminology {
  if (requested === "automatic") return installed ?? flavor.terminologies[0];
  if (!flavor.terminologies.includes(requested)) {
    throw unsupportedServerError(
      `terminology '${requested}' is not available on ${describeFlavor(flavor)}: it ships only ` +
        `${flavor.terminologies.map((t) => `'${t}'`).join(" and ")}; set terminology to ` +
        `${flavor.terminologies.map((t) => `"${t}"`).join(" or ")} or "automatic"`,
    );
  }
  return requested;
}

export function describeFlavor(flavor: Flavor): string {
  return `${flavor.family === "mysql" ? "MySQL" : "MariaDB"} ${flavor.since}+ (${flavor.id})`;
}
