/** Entry point of `pulumi-resource-mysql-semisync` (the launcher script runs it with Node). */
import * as provider from "@pulumi/pulumi/provider";
import { nativeProvider } from "./provider";

// `pulumi import` sends a ReadRequest with no properties, and the SDK's provider server reads
// them with `req.getProperties().toJavaScript()`: "Cannot read properties of undefined (reading
// 'toJavaScript')" (the same failure that makes dynamic resources unimportable). Absent
// properties read as an empty object, which `read` takes for an import.
const { ReadRequest } = require("@pulumi/pulumi/proto/provider_pb");
const getProperties = ReadRequest.prototype.getProperties;
ReadRequest.prototype.getProperties = function (this: unknown) {
  return getProperties.call(this) ?? { toJavaScript: () => ({}) };
};

provider.main(nativeProvider, process.argv.slice(2)).catch((error) => {
  process.stderr.write(`pulumi-resource-mysql-semisync: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
