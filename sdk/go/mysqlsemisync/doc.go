// Pulumi dynamic provider for MySQL and MariaDB semisynchronous replication: plugins, enablement and a stall-free rollout order.
package mysqlsemisync
