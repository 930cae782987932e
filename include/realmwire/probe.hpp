#ifndef REALMWIRE_PROBE_HPP
#define REALMWIRE_PROBE_HPP

// The probe: which hop broke what on the way to a sync server.
//   probe/report.hpp    — the step report (DNS, TCP, proxy CONNECT, TLS, HTTP upgrade, BIND)
//   probe/diagnose.hpp  — the likely cause in plain words (sans-I/O)
// run_probe(), the steps over real sockets (Asio, OpenSSL), is a driver: include realmwire/driver/probe.hpp
// (or driver.hpp), which brings these two with it.

#include "realmwire/probe/diagnose.hpp"
#include "realmwire/probe/report.hpp"

#endif
