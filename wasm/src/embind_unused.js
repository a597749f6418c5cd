// Embind registers std::wstring, std::u16string and std::u32string with every module, which
// brings their UTF-16 and UTF-32 codecs into the glue (0.5 KB gzipped, wasm/build.sh,
// 2026-12-07). The bindings pass no wide string, so those registrations do nothing here, with
// no dependencies, and the codecs stay out; a function taking or returning a wide string would
// fail when called, as one of an unbound type does.
mergeInto(LibraryManager.library, {
  _embind_register_std_wstring__deps: [],
  _embind_register_std_wstring: function (rawType, charSize, name) {},
});
