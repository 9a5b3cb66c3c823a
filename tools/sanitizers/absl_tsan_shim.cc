// ThreadSanitizer builds only (-DSLUICE_SANITIZE=tsan): tells TSan about the
// synchronisation of Debian's abseil, which is not built with
// -fsanitize=thread.
//
// absl::Mutex, CondVar and Notification live in libabsl_synchronization.so.
// Their atomics and futex waits are invisible to TSan, so every access that
// an absl::Mutex orders looks like a data race, and the ordering gRPC gets
// from the same Mutex (it is built on absl) is lost too. This file defines
// the lock, unlock and wait entry points in the executable itself; the
// dynamic linker binds every call to them to these definitions, the calls
// from inside libabsl_synchronization, libgrpc and libgrpc++ included (they
// go through the PLT). Each definition calls the library's own function
// (dlsym RTLD_NEXT) and adds the happens-before edge TSan needs:
// __tsan_release on the object before it is released or signalled,
// __tsan_acquire after it is taken or the wait returns.
//
// It adds edges only; mutual exclusion is not checked, so lock-order
// (deadlock) reports for absl::Mutex are not produced in this build.
//
// This file is compiled without -fsanitize=thread (CMakeLists.txt): the
// absl::Condition wrapping AnnotatedCondition lives on the waiter's stack and
// is read by whichever thread unlocks the mutex, ordered by the library's
// atomics alone. Instrumented, those reads were reported as races.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/base/config.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#define SLUICE_STR2(x) #x
#define SLUICE_STR(x) SLUICE_STR2(x)

namespace {

// "_ZN4absl" + the inline namespace's length and name, as the mangled names
// of the library's functions start (absl::debian3:: -> "_ZN4absl7debian3").
std::string Prefix(bool is_const) {
  std::string p = is_const ? "_ZNK4absl" : "_ZN4absl";
#if ABSL_OPTION_USE_INLINE_NAMESPACE
  const char* ns = SLUICE_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  p += std::to_string(std::strlen(ns));
  p += ns;
#endif
  return p;
}

// The library's definition of the function whose mangled name is the
// prefix followed by `rest`. Missing means the abseil ABI changed: stop.
template <typename F>
F Real(const char* rest, bool is_const = false) {
  const std::string name = Prefix(is_const) + rest;
  void* f = dlsym(RTLD_NEXT, name.c_str());
  if (f == nullptr) {
    std::fprintf(stderr, "absl_tsan_shim: %s not found: %s\n", name.c_str(), dlerror());
    std::abort();
  }
  F out;
  static_assert(sizeof(out) == sizeof(f));
  std::memcpy(&out, &f, sizeof(out));
  return out;
}

void* Addr(const void* p) { return const_cast<void*>(p); }

// A Condition is evaluated inside the library, by the waiting thread or by
// whichever thread releases the mutex, always with the mutex held. Its reads
// are ordered by that mutex: each evaluation acquires it before and
// releases it after, as a critical section of its own would.
struct AnnotatedCondition {
  const absl::Condition* inner;
  absl::Mutex* mu;
  static bool Eval(AnnotatedCondition* c) {
    __tsan_acquire(c->mu);
    const bool met = c->inner->Eval();
    __tsan_release(c->mu);
    return met;
  }
};

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

// ---- Mutex: taking it acquires, releasing it releases.

void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex8LockWhenERKNS0_9ConditionE");
  AnnotatedCondition annotated{&cond, this};
  real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated));
  __tsan_acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  AnnotatedCondition annotated{&cond, this};
  real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated));
  __tsan_acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  AnnotatedCondition annotated{&cond, this};
  const bool met = real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated), timeout);
  __tsan_acquire(this);  // held whether or not the condition became true
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  AnnotatedCondition annotated{&cond, this};
  const bool met = real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated), deadline);
  __tsan_acquire(this);
  return met;
}

// ---- Waits release the mutex while they wait and take it back.

void Mutex::Await(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex5AwaitERKNS0_9ConditionE");
  AnnotatedCondition annotated{&cond, this};
  __tsan_release(this);
  real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated));
  __tsan_acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  AnnotatedCondition annotated{&cond, this};
  __tsan_release(this);
  const bool met = real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated), timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  AnnotatedCondition annotated{&cond, this};
  __tsan_release(this);
  const bool met = real(this, absl::Condition(&AnnotatedCondition::Eval, &annotated), deadline);
  __tsan_acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, timeout);
  __tsan_acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, absl::Time)>(
      "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, deadline);
  __tsan_acquire(mu);
  return timed_out;
}

// ---- Notification: Notify releases, a wait that saw it acquires.

void Notification::Notify() {
  static const auto real = Real<void (*)(Notification*)>("12Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  static const auto real = Real<void (*)(const Notification*)>(
      "12Notification19WaitForNotificationEv", /*is_const=*/true);
  real(this);
  __tsan_acquire(Addr(this));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  static const auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE", /*is_const=*/true);
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(Addr(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  static const auto real = Real<bool (*)(const Notification*, absl::Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE", /*is_const=*/true);
  const bool notified = real(this, deadline);
  if (notified) __tsan_acquire(Addr(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
