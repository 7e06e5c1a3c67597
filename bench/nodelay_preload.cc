// LD_PRELOAD shim for perch-emulator in benchmarks: sets TCP_NODELAY on every
// accepted connection. The emulator's evhttp server leaves Nagle on, and
// libevent writes a response in 16 KiB pieces, so on a kept-alive connection
// every body over 16 KiB (a 20-tweet timeline is ~80 KiB) waits for the
// client's delayed ACK: ~40 ms per answer (measured with curl on loopback,
// 0.6 ms -> 43 ms). Real upstreams (and nginx, tcp_nodelay on) do not do
// that, and the stall would swamp everything the benchmark measures. The
// fix belongs in emulator/evhttp_server.cc; this shim then does nothing.
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {

void NoDelay(int fd) {
  if (fd < 0) return;
  int one = 1;
  // Fails harmlessly (ENOTSUP) on a non-TCP socket.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace

extern "C" {

int accept(int fd, sockaddr* addr, socklen_t* len) {
  using Fn = int (*)(int, sockaddr*, socklen_t*);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "accept"));
  const int c = real(fd, addr, len);
  NoDelay(c);
  return c;
}

int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  using Fn = int (*)(int, sockaddr*, socklen_t*, int);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "accept4"));
  const int c = real(fd, addr, len, flags);
  NoDelay(c);
  return c;
}

}  // extern "C"
