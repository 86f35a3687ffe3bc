"""One MySQL source and its replicas with SemisyncReplication, from Python.

The resources are served by the mysql-semisync provider plugin (`pulumi plugin install resource
mysql-semisync ...`) through the generated SDK in sdk/python. Servers come from the stack config
(`source`, `replicas`, `user`, `password`); without it, from the local test bed started by
`npm run testbed -- up`.
"""
import json
import os

import pulumi
import pulumi_mysql_semisync as semisync

config = pulumi.Config()


def testbed():
    cache = os.environ.get("SEMISYNC_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "pulumi-mysql-semisync")
    path = os.path.join(cache, "testbed.json")
    if not os.path.exists(path):
        raise Exception(f"no stack config and no local test bed ({path}): run `npm run testbed -- up`, or set source, replicas, user and password")
    with open(path) as file:
        return json.load(file)


source = config.get_object("source") or testbed()["source"]
replicas = config.get_object("replicas") or testbed()["replicas"]
user = config.get("user") or testbed()["source"]["user"]
password = config.get_secret("password") or pulumi.Output.secret(testbed()["source"]["password"])


def connection(server):
    return dict(host=server["host"], port=int(server["port"]), user=user, password=password)


replication = semisync.SemisyncReplication(
    "semisync",
    source=semisync.MemberArgs(**connection(source)),
    replicas=[semisync.ReplicaArgs(**connection(replica), name=f"{replica['host']}-{replica['port']}") for replica in replicas],
    timeout_ms=config.get_int("timeoutMs") or 10_000,
)

pulumi.export("sourceStatus", replication.source_status)
pulumi.export("replicaStatuses", replication.replica_statuses)
