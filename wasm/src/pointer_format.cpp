// The module's only formatted print, without printf. Embind's __getTypeName (its library built
// without RTTI, as ours must be) names a type by its address, sprintf(str, "%p", ...), which
// clang turns into siprintf; that one call linked musl's whole printf (printf_core, pop_arg,
// wctomb, ...), 2.5 KB of the module gzipped (wasm/build.sh, 2026-12-07). This definition
// precedes libc's in the link, so that call formats here. It is used only for a type's name
// in Embind's "unbound type" errors.
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>

// REQUIRES: format is "%p", as Embind's only call passes; anything else aborts the module
// rather than print something other than was asked.
extern "C" int siprintf(char* out, const char* format, ...) {
  if (std::strcmp(format, "%p") != 0) std::abort();
  std::va_list args;
  va_start(args, format);
  auto address = reinterpret_cast<std::uintptr_t>(va_arg(args, void*));
  va_end(args);
  char reversed[2 * sizeof address];
  int digits = 0;
  do {
    reversed[digits++] = "0123456789abcdef"[address & 15];
    address >>= 4;
  } while (address != 0);
  char* end = out;
  *end++ = '0';
  *end++ = 'x';
  while (digits > 0) *end++ = reversed[--digits];
  *end = '\0';
  return static_cast<int>(end - out);
}
