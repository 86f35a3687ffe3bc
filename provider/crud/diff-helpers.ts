// The diff's pure parts live in plan/diff.ts; 0.1.0's stored code requires them from this module.
export { connectionChanged, hasUnknowns, identityChanged } from "../plan/diff";
