/**
 * What the plugin serves about itself: its version and the checked-in schema, read once. Both
 * the provider (provider.ts) and the component's custom resources (resources.ts) need them; kept
 * apart from both so that neither imports the other.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PropertySpec } from "./raw-values";

const PACKAGE_ROOT = path.resolve(__dirname, "..", "..", "..");
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).version;

/** The checked-in schema (`npm run schema`), as `pulumi package get-schema` serves it. */
export const SCHEMA_TEXT = fs.readFileSync(path.join(PACKAGE_ROOT, "provider", "native", "schema.json"), "utf8");
export interface ResourceSpec {
  inputProperties: Record<string, PropertySpec>;
  properties: Record<string, PropertySpec>;
}
export interface Schema {
  version: string;
  resources: Record<string, ResourceSpec>;
  types: Record<string, { properties?: Record<string, PropertySpec> }>;
}
export const SCHEMA: Schema = JSON.parse(SCHEMA_TEXT);

export const token = (name: string) => `mysql-semisync:index:${name}`;

export const typeProperties = (ref: string) => SCHEMA.types[ref.replace(/^#\/types\//, "")]?.properties;
