#include "tests/testing/child_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

constexpr char kShell[] = "/bin/sh";

// A /bin/sh child running `script`.
std::unique_ptr<ChildProcess> Shell(const std::string& script) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = {kShell, "-c", script}});
  EXPECT_TRUE(child.ok()) << child.status();
  return child.ok() ? *std::move(child) : nullptr;
}

// The exit code, waiting up to 20 s; -1000 (and a failure) on a timeout.
int ExitOf(ChildProcess& child) {
  absl::StatusOr<int> code = child.Wait(absl::Seconds(20));
  EXPECT_TRUE(code.ok()) << code.status();
  return code.ok() ? *code : -1000;
}

std::set<std::string> OpenDescriptors(const std::string& fd_dir) {
  std::set<std::string> names;
  DIR* dir = opendir(fd_dir.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  closedir(dir);
  return names;
}

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.emplace(line);
  }
  return lines;
}

TEST(ChildProcess, ExitCodeComesBack) {
  auto child = Shell("exit 7");
  ASSERT_NE(child, nullptr);
  absl::StatusOr<int> code = child->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 7);
  EXPECT_EQ(child->exit_code(), 7);
  // Asking again does not wait on a reaped pid.
  EXPECT_EQ(*child->Wait(absl::ZeroDuration()), 7);
}

TEST(ChildProcess, DeathBySignalIs128PlusTheSignal) {
  auto child = Shell("kill -USR1 $$; exec sleep 30");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ExitOf(*child), 128 + SIGUSR1);
}

TEST(ChildProcess, WaitReportsDeadlineWhileRunning) {
  auto child = Shell("exec sleep 30");
  ASSERT_NE(child, nullptr);
  const absl::Time start = absl::Now();
  absl::StatusOr<int> code = child->Wait(absl::Milliseconds(200));
  EXPECT_THAT(code.status(), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_FALSE(child->exit_code().has_value());
}

TEST(ChildProcess, WaitForLineReturnsTheWholeLineAndNumbersAfterAMarker) {
  auto child = Shell("echo starting; echo 'ready on x (port 4242) now'; "
                     "echo 'err' >&2; exec sleep 30");
  ASSERT_NE(child, nullptr);
  absl::StatusOr<std::string> line =
      child->WaitForLine("ready", absl::Seconds(20));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "ready on x (port 4242) now");
  absl::StatusOr<int> port =
      child->WaitForNumberAfter("(port ", absl::Seconds(20));
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(*port, 4242);
  // stderr lands in the same output.
  ASSERT_TRUE(child->WaitForLine("err", absl::Seconds(20)).ok());
  EXPECT_THAT(child->WaitForNumberAfter("starting", absl::Seconds(1)).status(),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(ChildProcess, WaitForLineEndsAtTheDeadlineWhenTheLineNeverComes) {
  // "ready" is printed, but never as a whole line.
  auto child = Shell("echo other; printf ready; exec sleep 30");
  ASSERT_NE(child, nullptr);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> line =
      child->WaitForLine("ready", absl::Milliseconds(500));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_THAT(line.status(), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(waited, absl::Milliseconds(500));
  EXPECT_LT(waited, absl::Seconds(10));
  EXPECT_EQ(child->Output(), "other\nready");
}

TEST(ChildProcess, WaitForLineEndsWhenTheChildExits) {
  auto child = Shell("echo bye; exit 3");
  ASSERT_NE(child, nullptr);
  absl::StatusOr<std::string> line =
      child->WaitForLine("never printed", absl::Seconds(60));
  EXPECT_THAT(line.status(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(child->exit_code(), 3);
  // A line printed just before the exit is still found.
  EXPECT_EQ(*child->WaitForLine("bye", absl::Seconds(1)), "bye");
}

TEST(ChildProcess, StopEndsACooperativeChildWithSigterm) {
  auto child = Shell("echo up; exec sleep 30");
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(child->WaitForLine("up", absl::Seconds(20)).ok());
  EXPECT_EQ(child->Stop(absl::Seconds(20)), 128 + SIGTERM);
  // Idempotent.
  EXPECT_EQ(child->Stop(), 128 + SIGTERM);
}

TEST(ChildProcess, StopKillsAChildThatIgnoresSigterm) {
  auto child = Shell("trap '' TERM; echo armed; exec sleep 30");
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(child->WaitForLine("armed", absl::Seconds(20)).ok());
  const absl::Time start = absl::Now();
  EXPECT_EQ(child->Stop(absl::Milliseconds(300)), 128 + SIGKILL);
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(300));
  EXPECT_LT(took, absl::Seconds(10));
}

TEST(ChildProcess, DestructionLeavesNoZombieAndNoDescriptor) {
  const std::set<std::string> before = OpenDescriptors("/proc/self/fd");
  pid_t pid = -1;
  std::string output_path;
  {
    auto child = Shell("trap '' TERM; echo armed; exec sleep 30");
    ASSERT_NE(child, nullptr);
    ASSERT_TRUE(child->WaitForLine("armed", absl::Seconds(20)).ok());
    pid = child->pid();
    output_path = child->output_path();
  }
  // Reaped: no such child any more, and its temporary output is gone.
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_NE(access(output_path.c_str(), F_OK), 0);
  EXPECT_EQ(OpenDescriptors("/proc/self/fd"), before);
}

TEST(ChildProcess, OnlyStdioAndThePassedDescriptorReachTheChild) {
  // Open without O_CLOEXEC, as a careless library might leave one.
  constexpr int kStray = 50;
  const int opened = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(opened, 0);
  ASSERT_EQ(dup2(opened, kStray), kStray);
  close(opened);
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  auto child = ChildProcess::Spawn(
      {.argv = {kShell, "-c", "ls /proc/$$/fd; readlink /proc/$$/fd/3"},
       .pass_fd = pipe_fds[0]});
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_EQ(ExitOf(**child), 0) << (*child)->Output();
  char passed[64] = {};
  ASSERT_GT(readlink(absl::StrCat("/proc/self/fd/", pipe_fds[0]).c_str(),
                     passed, sizeof(passed) - 1),
            0);
  // The shell's own: stdio, the passed pipe at 3 and whatever it opened
  // itself at 10 and above (dash keeps its script there); none of ours.
  std::set<std::string> seen = Lines((*child)->Output());
  EXPECT_TRUE(seen.contains(passed)) << (*child)->Output();
  seen.erase(passed);
  for (const std::string& fd : seen) {
    EXPECT_TRUE(fd == "0" || fd == "1" || fd == "2" || fd == "3" ||
                fd.size() > 1)
        << fd;
    EXPECT_NE(fd, absl::StrCat(kStray)) << (*child)->Output();
  }
  close(kStray);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST(ChildProcess, EnvironmentIsInheritedWithAdditionsOrExactlyAsGiven) {
  ASSERT_EQ(setenv("PERCH_CHILD_TEST_A", "old", 1), 0);
  ASSERT_EQ(setenv("PERCH_CHILD_TEST_KEPT", "kept", 1), 0);
  auto inherited = ChildProcess::Spawn(
      {.argv = {kShell, "-c",
                "echo \"$PERCH_CHILD_TEST_A $PERCH_CHILD_TEST_B "
                "$PERCH_CHILD_TEST_KEPT\""},
       .env = {"PERCH_CHILD_TEST_A=new", "PERCH_CHILD_TEST_B=b"}});
  ASSERT_TRUE(inherited.ok()) << inherited.status();
  ASSERT_EQ(ExitOf(**inherited), 0);
  EXPECT_EQ((*inherited)->Output(), "new b kept\n");

  auto exact = ChildProcess::Spawn({.argv = {"/usr/bin/env"},
                                    .env = {"ONLY=this"},
                                    .inherit_env = false});
  ASSERT_TRUE(exact.ok()) << exact.status();
  ASSERT_EQ(ExitOf(**exact), 0);
  EXPECT_EQ((*exact)->Output(), "ONLY=this\n");
  unsetenv("PERCH_CHILD_TEST_A");
  unsetenv("PERCH_CHILD_TEST_KEPT");
}

TEST(ChildProcess, IgnoredSignalsAreNotInherited) {
  // gRPC and libcurl ignore SIGPIPE; a child must get it back.
  struct sigaction previous {};
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGPIPE, &ignore, &previous), 0);
  sigset_t blocked, old_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR2);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &blocked, &old_mask), 0);
  auto pipe_child = Shell("kill -PIPE $$; exit 0");
  auto usr2_child = Shell("kill -USR2 $$; exit 0");
  sigaction(SIGPIPE, &previous, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_NE(pipe_child, nullptr);
  ASSERT_NE(usr2_child, nullptr);
  EXPECT_EQ(ExitOf(*pipe_child), 128 + SIGPIPE);
  EXPECT_EQ(ExitOf(*usr2_child), 128 + SIGUSR2);
}

TEST(ChildProcess, StdinReadsTheInputFileAndOutputAppends) {
  char dir[] = "/tmp/perch_child_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string input = absl::StrCat(dir, "/in");
  const std::string output = absl::StrCat(dir, "/out");
  {
    FILE* f = fopen(input.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("from the file\n", f);
    fclose(f);
  }
  for (int run = 0; run < 2; ++run) {
    auto cat = ChildProcess::Spawn({.argv = {"/bin/cat"},
                                    .output_path = output,
                                    .input_path = input});
    ASSERT_TRUE(cat.ok()) << cat.status();
    ASSERT_EQ(ExitOf(**cat), 0);
    // Output() is this run's; the file keeps both.
    EXPECT_EQ((*cat)->Output(), "from the file\n");
  }
  EXPECT_EQ(ReadFileOrEmpty(output), "from the file\nfrom the file\n");
  // Without an input file, stdin is empty rather than the test's own.
  auto cat = ChildProcess::Spawn({.argv = {"/bin/cat"}});
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(ExitOf(**cat), 0);
  unlink(input.c_str());
  unlink(output.c_str());
  rmdir(dir);
}

TEST(ChildProcess, AMissingExecutableIsNotFoundAndLeavesNoChild) {
  auto child = ChildProcess::Spawn({.argv = {"/nonexistent/perch-binary"}});
  EXPECT_THAT(child.status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_THAT(ChildProcess::Spawn({}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ChildProcess, SpawnsFromManyThreadsAtOnce) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<ChildProcess>> children(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, &children] {
      // Others allocate meanwhile: a child must never need malloc's lock.
      std::vector<std::string> churn(1000, std::string(100, 'x'));
      auto child = ChildProcess::Spawn(
          {.argv = {"/bin/echo", absl::StrCat("child ", i)}});
      if (child.ok()) children[i] = *std::move(child);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_NE(children[i], nullptr);
    EXPECT_EQ(ExitOf(*children[i]), 0);
    EXPECT_EQ(children[i]->Output(), absl::StrCat("child ", i, "\n"));
  }
}

TEST(ChildProcess, DiesWithTheThreadThatSpawnedIt) {
  std::unique_ptr<ChildProcess> child;
  std::thread([&child] {
    auto spawned = ChildProcess::Spawn(
        {.argv = {kShell, "-c", "trap '' TERM; exec sleep 30"},
         .die_with_parent = true});
    if (spawned.ok()) child = *std::move(spawned);
  }).join();
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(ExitOf(*child), 128 + SIGKILL);
}

}  // namespace
}  // namespace perch::testing
