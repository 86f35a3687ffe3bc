/**
 * The integration matrix as data: which server images the integration tests run against.
 *
 *   SEMISYNC_IMAGE_MYSQL, SEMISYNC_IMAGE_MARIADB, SEMISYNC_IMAGE_MARIADB_11, SEMISYNC_IMAGE_MARIADB_10_5
 *                         override the default images
 *   SEMISYNC_EXTRA_IMAGES  comma list of further images, e.g. "mysql:5.7,mysql:8.4,mariadb:11.4"
 *   SEMISYNC_LANES         comma list of lane names to run, e.g. "mysql-9.7,mariadb-11.4"
 */

export interface Lane {
  name: string;
  family: "mysql" | "mariadb";
  image: string;
}

function defaultLanes(): Lane[] {
  const env = process.env;
  return [
    { name: "mysql-9.7", family: "mysql", image: env.SEMISYNC_IMAGE_MYSQL || "pulumi-mysql-semisync/mysql:9.7" },
    { name: "mariadb-10.11", family: "mariadb", image: env.SEMISYNC_IMAGE_MARIADB || "pulumi-mysql-semisync/mariadb:10.11" },
    { name: "mariadb-11.8", family: "mariadb", image: env.SEMISYNC_IMAGE_MARIADB_11 || "pulumi-mysql-semisync/mariadb:11.8" },
    // 10.5 is the first generation with MariaDB's split privileges, and the one whose grants
    // changed between patch releases (docs/preflight-and-grants.md, "Grants").
    { name: "mariadb-10.5", family: "mariadb", image: env.SEMISYNC_IMAGE_MARIADB_10_5 || "pulumi-mysql-semisync/mariadb:10.5" },
  ];
}

function commaList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** "mysql:8.0.25" -> "mysql-8.0.25", "registry.local/percona/percona-server:8.0" -> "percona-server-8.0". */
export function laneNameForImage(image: string): string {
  const withoutDigest = image.split("@")[0];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const [repository, tag] = lastSegment.split(":");
  return `${repository}-${tag ?? "latest"}`.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
}

export function laneForImage(image: string): Lane {
  return {
    name: laneNameForImage(image),
    family: image.toLowerCase().includes("mariadb") ? "mariadb" : "mysql",
    image,
  };
}

/** Every lane that can be asked for: the defaults plus SEMISYNC_EXTRA_IMAGES, first name wins. */
export function availableLanes(): Lane[] {
  const byName = new Map<string, Lane>();
  for (const lane of [...defaultLanes(), ...commaList(process.env.SEMISYNC_EXTRA_IMAGES).map(laneForImage)]) {
    if (!byName.has(lane.name)) byName.set(lane.name, lane);
  }
  return [...byName.values()];
}

/** The lanes to run: all available ones, narrowed by SEMISYNC_LANES when set. */
export function lanes(): Lane[] {
  const wanted = commaList(process.env.SEMISYNC_LANES);
  if (wanted.length === 0) return availableLanes();
  // A misspelt name must fail loudly rather than quietly run nothing.
  return wanted.map(laneByName);
}

export function laneByName(name: string): Lane {
  const available = availableLanes();
  const lane = available.find((candidate) => candidate.name === name);
  if (!lane) {
    throw new Error(`unknown lane "${name}"; available: ${available.map((l) => l.name).join(", ")} ` + `(add images with SEMISYNC_EXTRA_IMAGES)`);
  }
  return lane;
}

/** The first lane of a family; suites that need one fail with this message when it is filtered out. */
export function requireLane(family: Lane["family"]): Lane {
  const lane = lanes().find((l) => l.family === family);
  if (!lane) throw new Error(`no ${family} lane is configured (SEMISYNC_LANES filters them all out); this suite needs one`);
  return lane;
}
