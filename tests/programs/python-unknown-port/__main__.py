"""examples/python's topology, with every replica's port taken from another resource's output.

The port is the one in the stack config, passed through an output of another resource that a first
preview does not know yet (a SemisyncPlugin's serverVersion, known only once it is created): the
component is then previewed with unknown ports, as when a port comes from the resource that creates
the server. Only ever previewed: the test never deploys it.
"""
import pulumi
import pulumi_mysql_semisync as semisync

config = pulumi.Config()
source = config.require_object("source")
replicas = config.require_object("replicas")
user = config.require("user")
password = config.require_secret("password")

connection = semisync.ConnectionArgs(host=source["host"], port=int(source["port"]), user=user, password=password)
other = semisync.SemisyncPlugin("other", connection=connection, role="source")


def port_from_other(port):
    return other.server_version.apply(lambda _: int(port))


replication = semisync.SemisyncReplication(
    "semisync",
    source=semisync.MemberArgs(host=source["host"], port=int(source["port"]), user=user, password=password),
    replicas=[
        semisync.ReplicaArgs(host=r["host"], port=port_from_other(r["port"]), user=user, password=password, name=f"replica-{i}")
        for i, r in enumerate(replicas)
    ],
)
pulumi.export("replicaPort", port_from_other(replicas[0]["port"]))
