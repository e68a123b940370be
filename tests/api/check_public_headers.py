#!/usr/bin/env python3
"""The public API is include/chatfmt/ and nothing else: its headers include only the C++ standard
library and each other, so an embedder needs none of chatfmt's dependencies to read or compile
against them. (Each header compiling on its own is checked by the build: tests/CMakeLists.txt.)

  check_public_headers.py INCLUDE_DIR
"""
import os
import re
import sys

# The C++20 standard library headers (and the C headers it carries as <cxxx>).
STANDARD = set("""
algorithm any array atomic barrier bit bitset charconv chrono codecvt compare complex concepts condition_variable
coroutine deque exception execution filesystem format forward_list fstream functional future initializer_list iomanip
ios iosfwd iostream istream iterator latch limits list locale map memory memory_resource mutex new numbers numeric
optional ostream queue random ranges ratio regex scoped_allocator semaphore set shared_mutex source_location span
sstream stack stdexcept stop_token streambuf string string_view syncstream system_error thread tuple type_traits
typeindex typeinfo unordered_map unordered_set utility valarray variant vector version
cassert cctype cerrno cfenv cfloat cinttypes climits clocale cmath csetjmp csignal cstdarg cstddef cstdint cstdio
cstdlib cstring ctime cuchar cwchar cwctype
""".split())


def main():
    include_dir = sys.argv[1]
    headers = sorted(os.listdir(os.path.join(include_dir, "chatfmt")))
    failures = []
    for name in headers:
        path = os.path.join(include_dir, "chatfmt", name)
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                if not m:
                    continue
                kind, target = m.groups()
                ok = (kind == "<" and target in STANDARD) or (
                    kind == '"' and target.startswith("chatfmt/")
                    and os.path.exists(os.path.join(include_dir, target)))
                if not ok:
                    spelled = f"<{target}>" if kind == "<" else f'"{target}"'
                    failures.append(f"include/chatfmt/{name}:{number}: includes {spelled}: the public API may "
                                    f"include only standard headers and chatfmt/ headers; move it to src/ or converters/")
    for failure in failures:
        print("FAIL " + failure)
    print(f"{len(headers)} public headers, {len(failures)} non-standard includes")
    return 1 if failures or not headers else 0


if __name__ == "__main__":
    sys.exit(main())
