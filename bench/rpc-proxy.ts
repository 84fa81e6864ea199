// A JSON-RPC pass-through for the keeper's stress cases (bench/keeper-stress.ts): forwards every
// HTTP request to the node, or, while "hung", accepts it and never answers (the socket stays open),
// the way an overloaded or half-dead RPC provider behaves. Requests held during a hang stay
// unanswered; requests after resume() are forwarded again.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RpcProxy {
  /** The proxy's URL, to give the client instead of the node's. */
  readonly url: string;
  /** From now on, accept requests and never answer them. */
  hang(): void;
  /** From now on, forward requests again (those held during the hang stay unanswered). */
  resume(): void;
  /** Requests accepted and held without an answer so far. */
  held(): number;
  /** Closes the server and every held connection. */
  close(): Promise<void>;
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  const upstream = new URL(target);
  let hung = false;
  let heldCount = 0;
  const held = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const up = request(
      { host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: req.method, headers: { "content-type": "application/json", "content-length": body.length } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "application/json" });
        answer.pipe(res);
      },
    );
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`rpc proxy: ${e.message}`);
    });
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (hung) {
        heldCount++;
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      forward(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hang: () => void (hung = true),
    resume: () => void (hung = false),
    held: () => heldCount,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
