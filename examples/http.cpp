// docs/http.md: write an upgrade request in realm-core's header order, then parse the server's answer
// as it arrives in pieces, leaving the first WebSocket frame to the caller.
// Compiled and run by the test `http.docs example` (tests/http/docs_example_test.cpp).
#include <realmwire/http.hpp>

#include <iostream>
#include <string>

int main()
{
    realmwire::http::request req;
    req.target = "/realm-sync";
    req.headers.set("Upgrade", "websocket");
    req.headers.set("Host", "sync.example.com");
    req.headers.set("Connection", "Upgrade");
    std::cout << realmwire::http::serialize(req, realmwire::http::header_order::realm_core);

    std::string wire = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x82\x01!";
    realmwire::http::response_parser parser;
    std::error_code ec;
    std::size_t used = 0;
    while (!parser.done() && !ec && used < wire.size())
        used += parser.feed(std::string_view(wire).substr(used, 10), ec); // 10 bytes at a time
    if (ec) {
        std::cout << ec.message() << " at byte " << parser.where().offset << "\n";
        return 1;
    }
    std::cout << parser.get().status << " " << parser.get().reason << ", " << wire.size() - used
              << " bytes left for the WebSocket\n";
    return 0;
}
