// No resource, but the SDK loaded: what every program that declares a resource pays before it declares one.
require("@pulumi/pulumi");
