// A file's identity as stat(2) sees it, to tell cheaply whether a file that
// perch re-reads on change (the callers file, the consumer key and secret)
// was replaced or edited since the last look. Reads no content.
#ifndef PERCH_SERVER_COMMON_FILE_STAMP_H_
#define PERCH_SERVER_COMMON_FILE_STAMP_H_

#include <cstdint>
#include <string>

namespace perch {

// Kubernetes updates a mounted Secret by swapping a symlink, an operator by
// `mv` or an editor: each changes the inode, the size or a time below.
struct FileStamp {
  bool exists = false;
  uint64_t device = 0, inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// Follows symlinks (stat, not lstat): a Secret volume's file is a symlink
// whose target changes on update. A missing or unreadable path is a stamp
// with exists == false. An empty `path` is such a stamp too.
FileStamp StampFile(const std::string& path);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_FILE_STAMP_H_
