import * as net from "node:net";

/** A 127.0.0.1 port that accepts connections and never answers, for as long as `use` runs. */
export async function withSilentListener<T>(use: (port: number) => Promise<T>): Promise<T> {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    return await use((silent.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
}
