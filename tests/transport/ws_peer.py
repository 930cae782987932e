#!/usr/bin/python3
"""A WebSocket peer written by someone else (Debian's python3-websockets), for interop tests.

  ws_peer.py server PORT   echo server on 127.0.0.1:PORT for one connection; the library itself
                           refuses unmasked client frames (close 1002), so an echo proves masking.
  ws_peer.py client PORT   connects to ws://127.0.0.1:PORT/realm-sync?baas_at=tok, sends binary
                           messages of several sizes, checks the echoes, checks a ping is answered,
                           closes with 1000. Exit status 0 = all good.
"""
import asyncio
import sys

import websockets

SUBPROTOCOL = "com.mongodb.realm-sync#14"
SIZES = [0, 1, 125, 126, 65535, 65536, 300000]


def payload(n):
    return bytes(((i * 7 + n) & 0xFF) for i in range(n))


async def serve(port):
    done = asyncio.get_running_loop().create_future()

    async def echo(ws, path=None):
        try:
            async for msg in ws:
                if not isinstance(msg, bytes):
                    await ws.close(1003, "binary only")
                    break
                await ws.send(msg)
        finally:
            if not done.done():
                done.set_result(ws.close_code)

    async with websockets.serve(echo, "127.0.0.1", port, subprotocols=[SUBPROTOCOL], max_size=2**22):
        code = await asyncio.wait_for(done, 60)
    print("server saw close code", code, flush=True)
    return 0 if code == 1000 else 1


async def client(port):
    uri = "ws://127.0.0.1:%d/realm-sync?baas_at=tok" % port
    async with websockets.connect(uri, subprotocols=[SUBPROTOCOL], max_size=2**22) as ws:
        if ws.subprotocol != SUBPROTOCOL:
            print("bad subprotocol", ws.subprotocol, flush=True)
            return 1
        for n in SIZES:
            await ws.send(payload(n))
        for n in SIZES:
            got = await asyncio.wait_for(ws.recv(), 20)
            if got != payload(n):
                print("echo mismatch for size", n, flush=True)
                return 1
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 20)
        await ws.close(1000, "done")
    print("client ok", flush=True)
    return 0


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    return asyncio.run(serve(port) if mode == "server" else client(port))


if __name__ == "__main__":
    sys.exit(main())
