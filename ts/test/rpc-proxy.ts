// A JSON-RPC pass-through in front of a node, for the keeper's tests and the benchmark's stress
// cases (bench/keeper-stress.ts). In mode "forward" it passes every request on; in "hang" it
// accepts each request and never answers (the socket stays open), the way an overloaded or
// half-dead provider behaves; in "down" it drops every connection, like a provider that is gone.
// Requests held during a hang stay unanswered after the mode changes.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RpcProxyMode = "forward" | "hang" | "down";

export interface RpcProxy {
  /** The proxy's URL, to give the client instead of the node's. */
  readonly url: string;
  /** What the proxy does with the next request; setting "down" also drops the open connections. */
  mode: RpcProxyMode;
  /** Requests accepted and held without an answer so far. */
  held(): number;
  /** Closes the server and every held connection. */
  close(): Promise<void>;
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let mode: RpcProxyMode = "forward";
  let heldCount = 0;
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (mode === "down") return void req.socket.destroy();
      if (mode === "hang") {
        heldCount++;
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) })
        .then(async (r) => {
          res.writeHead(r.status, { "content-type": "application/json" });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    set mode(m: RpcProxyMode) {
      mode = m;
      if (m === "down") server.closeAllConnections();
    },
    held: () => heldCount,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
