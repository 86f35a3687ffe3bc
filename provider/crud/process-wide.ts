/**
 * State shared by every resource's provider code in one provider process, created by `init` the
 * first time `name` is asked for. Pulumi deserializes each resource's provider on its own, so
 * module-level state would not be shared between resources; a registered symbol on
 * `globalThis` is (takeovers, source locks, the stderr filter).
 */
export function processWide<T>(name: string, init: () => T): T {
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  return (holder[Symbol.for(`pulumi-mysql-semisync.${name}`)] ??= init());
}
