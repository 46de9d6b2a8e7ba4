#pragma once
// The HTTP/1.1 server (Boost.Beast): keep-alive, limits and timeouts from core::Limits, and a
// graceful drain on SIGTERM or SIGINT.
//
// `run` blocks the calling thread plus `io_threads - 1` more until the server stops. The handler
// runs on an I/O thread and must not block: it hands blocking work to a pool and answers later
// through the Responder, from any thread.

#include <atomic>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "http/message.hpp"

namespace deskbridge::http {

class Server {
  public:
    Server(const core::ServerConfig& config, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds the listen address; fails with kInvalidArgument for a bad or busy address.
    core::Status bind();
    // The port actually bound (useful with port 0).
    unsigned short port() const;
    // Serves until SIGTERM/SIGINT, then drains.
    void run();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace deskbridge::http
