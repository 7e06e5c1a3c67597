// A handle that lets the caller abort an upstream read in flight (a
// cancelled RPC aborts its upstream requests).
#ifndef PERCH_SERVER_UPSTREAM_READ_HANDLE_H_
#define PERCH_SERVER_UPSTREAM_READ_HANDLE_H_

namespace perch::upstream {

class ReadHandle {
 public:
  virtual ~ReadHandle() = default;
  // The read then finishes with CANCELLED (if it had not finished).
  virtual void Cancel() = 0;
};

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_READ_HANDLE_H_
