/**
 * A plan that must not run: the server is not in a state the provider can act on. Raised before
 * any statement, so nothing has changed. `crud` adds the server's name. (A factory, not a class:
 * see `semisyncError`.)
 */
export interface PlanError extends Error {
  name: "PlanError";
  fix: string;
}

export function planError(message: string, fix: string): PlanError {
  const error = new Error(message) as PlanError;
  error.name = "PlanError";
  error.fix = fix;
  return error;
}

export function isPlanError(error: unknown): error is PlanError {
  return error instanceof Error && error.name === "PlanError";
}
