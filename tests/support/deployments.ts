/**
 * The provider remembers, per process, what the creates and updates of the current deployment
 * took over (provider/crud/takeovers.ts), so that a delete in the same deployment leaves it
 * alone. The engine starts a provider process per deployment; integration tests call the
 * provider methods directly, in one process, so each call here stands for its own deployment.
 */
const TAKEOVERS = Symbol.for("pulumi-mysql-semisync.takeovers");

function forgetTakeovers(): void {
  delete (globalThis as unknown as Record<symbol, unknown>)[TAKEOVERS];
}

/** The provider with every method run as if in a deployment of its own. */
export function eachCallItsOwnDeployment<T extends object>(provider: T): Required<T> {
  return new Proxy(provider, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        forgetTakeovers();
        return value.apply(target, args);
      };
    },
  }) as Required<T>;
}
